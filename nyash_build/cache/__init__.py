"""Action keys and the local/remote content-addressed caches (docs/cache.md)."""
from nyash_build.cache.keys import (FORMAT, action_key, bundle_key, cwasm_key,  # noqa: F401
                                    runner_action_key, sha256_hex, wasm_key)
from nyash_build.cache.store import (ActionCache, CacheSpec, Hit, LocalStore,  # noqa: F401
                                     Output, RemoteStore, check_remote_url,
                                     default_cache_root, resolve_spec, run_cached)
