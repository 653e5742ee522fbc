"""doit tasks for this project: `doit build` (both apps), `doit build report`."""
from nyash_build.project.tasks import nyash_tasks

globals().update(nyash_tasks())
