"""Ship the sample workspaces inside the wheel.

The 2021-2025 sample (repository root: ntmgis.toml + layers/) becomes ntmgis/_sample/, the
2026 one (sample_2026/: ntmgis.toml + layers/) ntmgis/_sample_2026/.

A hook rather than a static force-include so that outputs a developer built
(layers/monitoring.gpkg, temporary files) never end up in a wheel.
"""

from __future__ import annotations

from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

OUTPUTS = {"monitoring.gpkg"}


#: Folder in the repository -> folder inside the package.
SAMPLES = {".": "ntmgis/_sample", "sample_2026": "ntmgis/_sample_2026"}


class SampleHook(BuildHookInterface):
    """Add ntmgis/_sample{,_2026}/{ntmgis.toml,layers/*} to the wheel."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        """Map each sample file to its place inside the package."""
        include = build_data.setdefault("force_include", {})
        for folder, inside in SAMPLES.items():
            root = (Path(self.root) / folder).resolve()
            include[str(root / "ntmgis.toml")] = f"{inside}/ntmgis.toml"
            for p in sorted((root / "layers").iterdir()):
                if p.is_file() and p.name not in OUTPUTS and ".tmp" not in p.name \
                        and not p.name.startswith("."):
                    include[str(p)] = f"{inside}/layers/{p.name}"
