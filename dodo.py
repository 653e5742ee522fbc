"""Build the example projects from the repository root.

`doit build hello && ./build/hello/hello` builds examples/hello into ./build/hello/hello;
`doit build` builds every example app, `doit list` shows the tasks. The task library is
nyash_build/project/tasks.py (the same one `nyash init` projects use).
"""
from nyash_build.project.tasks import nyash_tasks

globals().update(nyash_tasks("examples/hello", "examples/multi", "examples/shared-lib", "examples/wc",
                             out_dir="build"))
