"""doit tasks for this project: `doit build` here builds ./build/dice/dice."""
from nyash_build.project.tasks import nyash_tasks

globals().update(nyash_tasks())
