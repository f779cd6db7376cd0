#!/usr/bin/env bash
# Installs the Debian packages the tests need (headless Chromium for the web maps,
# poppler for PDF checks, GDAL's command-line tools, PostgreSQL with PostGIS, fonts, QGIS,
# LibreOffice headless for the Word and Excel reports), only where they are missing, so
# that a warm machine pays nothing.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
command -v ogrinfo >/dev/null 2>&1 || need+=(gdal-bin)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# The PostGIS extension itself (Debian's "postgis" package alone is only the tools).
ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || need+=(postgresql-postgis)
# GDAL's GeoPackage validator (validate_gpkg.py) for the GeoPackage conformance test.
ls /usr/lib/python3/dist-packages/osgeo_utils/samples/validate_gpkg.py >/dev/null 2>&1 \
  || need+=(python3-gdal)
# QGIS's Python bindings, to open the styled GeoPackage and PostGIS layers in a real QGIS.
# Looked for as a file: importing qgis.core to check took 5 s of every `make test`; a
# broken install still fails the QGIS tests loudly.
[ -x /usr/bin/python3 ] && ls /usr/lib/python3/dist-packages/qgis/_core.*.so >/dev/null 2>&1 \
  || need+=(python3-qgis)
# LibreOffice without its GUI, to open the .docx and .xlsx reports as an office would and
# convert them to PDF (Writer and Calc only: 7.4 on Debian 12).
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-writer-nogui libreoffice-calc-nogui)
# Liberation Serif: metric-compatible with Times New Roman (the reports' font), with
# Vietnamese, so that LibreOffice lays the Word report out as Word would.
ls /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf >/dev/null 2>&1 \
  || need+=(fonts-liberation2)
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-system-deps: missing ${need[*]}; run as root or install them (apt-get install ${need[*]})" >&2
  echo "install-system-deps: tests that need them will be skipped with a reason" >&2
  exit 0
fi
echo "install-system-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
