"""Build hook: compile the native artifacts (static launcher, C runtime parts) with the
``ziglang`` build requirement while the package is built, so users never need a C
toolchain. Everything else is declared in pyproject.toml."""
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithNative(build_py):
    def run(self) -> None:
        super().run()
        sys.path.insert(0, str(ROOT))
        from nyash_build.prebuilt import prebuild_all
        # editable installs use the source tree; regular builds the build directory
        package_dir = (ROOT if getattr(self, "editable_mode", False) else Path(self.build_lib)) / "nyash_build"
        for path in prebuild_all(package_dir):
            print(f"nyash-build: prebuilt {path.name}")


setup(cmdclass={"build_py": BuildWithNative})
