"""doit tasks for this project: `doit build` (all apps), `doit build fib`, `doit list`."""
from nyash_build.project.tasks import nyash_tasks

globals().update(nyash_tasks())
