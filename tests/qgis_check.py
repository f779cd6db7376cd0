"""Open layers in a real QGIS (optional Debian package python3-qgis) and describe their styles.

The tests call :func:`run_qgis`, which runs this file with the system Python that has
QGIS's bindings: ``python3 qgis_check.py ogr GPKG LAYER...`` or
``python3 qgis_check.py postgres URL SCHEMA LAYER...`` prints, as JSON, for every layer
whether it is valid, whether its default style loaded, the renderer type and its classes
(value or filter, label, colour). Without QGIS the calling test is skipped.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

SYSTEM_PYTHON = "/usr/bin/python3"


def run_qgis(*args: str) -> dict:
    """Run this file under QGIS's Python and return its JSON; skip the test without QGIS."""
    import pytest

    python = Path(SYSTEM_PYTHON)
    probe = (subprocess.run([str(python), "-c", "import qgis.core"], capture_output=True,
                            check=False) if python.exists() else None)
    if probe is None or probe.returncode != 0:
        why = "QGIS Python bindings not installed (apt-get install python3-qgis)"
        # CI installs QGIS through scripts/install-system-deps.sh and must never skip.
        if os.environ.get("NTMGIS_REQUIRE_QGIS") == "1":
            pytest.fail(why)
        pytest.skip(why)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([str(python), __file__, *args], capture_output=True, text=True,
                          env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def describe(layer):
    ok = layer.loadDefaultStyle()[1]
    r = layer.renderer()
    classes = []
    if r.type() == "categorizedSymbol":
        classes = [[c.value(), c.label(), c.symbol().color().name()] for c in r.categories()]
    elif r.type() == "RuleRenderer":
        classes = [[x.filterExpression(), x.label(), x.symbol().color().name()]
                   for x in r.rootRule().children()]
    elif r.type() == "singleSymbol":
        classes = [["", "", r.symbol().color().name()]]
    labeling = layer.labeling().settings().fieldName if layer.labeling() else None
    return {"valid": layer.isValid(), "features": layer.featureCount(), "loaded": ok,
            "renderer": r.type(), "classes": classes, "label_field": labeling}


def main(argv):
    from qgis.core import QgsApplication, QgsDataSourceUri, QgsVectorLayer

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QgsApplication([], False)
    app.initQgis()
    out = {}
    if argv[1] == "ogr":
        for name in argv[3:]:
            out[name] = describe(QgsVectorLayer(f"{argv[2]}|layername={name}", name, "ogr"))
    else:
        from urllib.parse import urlparse

        u = urlparse(argv[2].replace("postgresql+psycopg://", "postgresql://"))
        for name in argv[4:]:
            uri = QgsDataSourceUri()
            uri.setConnection(u.hostname, str(u.port or 5432), u.path.lstrip("/"),
                              u.username or "", u.password or "")
            uri.setDataSource(argv[3], name, "geom", "", "fid")
            out[name] = describe(QgsVectorLayer(uri.uri(False), name, "postgres"))
    print(json.dumps(out, ensure_ascii=False))
    app.exitQgis()


if __name__ == "__main__":
    main(sys.argv)
