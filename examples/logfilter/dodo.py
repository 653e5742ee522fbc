"""doit tasks for this project: `doit build` here builds ./build/logfilter/logfilter."""
from nyash_build.project.tasks import nyash_tasks

globals().update(nyash_tasks())
