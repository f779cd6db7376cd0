"""Ship the sample workspace (repository root: ntmgis.toml + layers/) inside the wheel.

A hook rather than a static force-include so that outputs a developer built
(layers/monitoring.gpkg, temporary files) never end up in a wheel.
"""

from __future__ import annotations

from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

OUTPUTS = {"monitoring.gpkg"}


class SampleHook(BuildHookInterface):
    """Add ntmgis/_sample/{ntmgis.toml,layers/*} to the wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        """Map each sample file to its place inside the package."""
        root = Path(self.root)
        include = build_data.setdefault("force_include", {})
        include[str(root / "ntmgis.toml")] = "ntmgis/_sample/ntmgis.toml"
        for p in sorted((root / "layers").iterdir()):
            if p.is_file() and p.name not in OUTPUTS and ".tmp" not in p.name \
                    and not p.name.startswith("."):
                include[str(p)] = f"ntmgis/_sample/layers/{p.name}"
