"""The model manifest, where model files live, and their installation and verification."""

from .manifest import REINSTALL_HINT, Manifest, ModelEntry, ModelError, load_manifest, models_dir, resolve_models

__all__ = ["REINSTALL_HINT", "Manifest", "ModelEntry", "ModelError", "load_manifest", "models_dir", "resolve_models"]
