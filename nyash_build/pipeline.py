"""Source to standalone executable in one call (used by ``nyash --compile-native``).

The doit tasks in ``nyash_build.project`` run the same stages as separate file targets.
"""
from __future__ import annotations

from pathlib import Path

from .compiler.driver import CompileResult, compile_file


def native_from_result(result: CompileResult, out: Path, *, debug: bool = False,
                       variants: tuple[str, ...] | None = None, opt_level: str = "speed") -> None:
    """Precompile every variant, fetch the cached runner, bundle atomically into out."""
    from .aot.compile import precompile
    from .aot.variants import VARIANTS
    from .bundle.exe import build_executable
    chosen = variants or tuple(VARIANTS)
    cwasm = {v: precompile(result.wasm, v, debug=debug, opt_level=opt_level) for v in chosen}
    build_executable(Path(out), wasm=result.wasm, cwasm=cwasm, meta=result.meta)


def build_native(source: Path, out: Path, *, debug: bool = False,
                 variants: tuple[str, ...] | None = None, opt_level: str = "speed") -> CompileResult:
    result = compile_file(source, debug=debug)
    native_from_result(result, out, debug=debug, variants=variants, opt_level=opt_level)
    return result
