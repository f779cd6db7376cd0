#!/usr/bin/env bash
# Refetch the JavaScript/CSS libraries that ntmgis inlines into its HTML maps.
#
# The maps must open offline, so the libraries are committed in ntmgis/outputs/webmap/static/
# (with their licences) and inlined at render time; nothing is fetched when a
# map is built or opened. Run this script only to upgrade a library: it takes
# the packages from the npm registry with `npm pack`, copies the minified
# files and licences, removes source-map comments (a map must not try to load
# anything) and records the versions and SHA-256 sums in ntmgis/outputs/webmap/static/VERSIONS.
set -euo pipefail

LEAFLET=leaflet@1.9.4
MARKERCLUSTER=leaflet.markercluster@1.5.3

here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/ntmgis/outputs/webmap/static"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "$LEAFLET" "$MARKERCLUSTER" >/dev/null
mkdir leaflet markercluster
tar xzf leaflet-*.tgz -C leaflet
tar xzf leaflet.markercluster-*.tgz -C markercluster

mkdir -p "$dest/images"
strip_map() { sed -e '/^\/\/# sourceMappingURL=/d' "$1" > "$2"; }
strip_map leaflet/package/dist/leaflet.js "$dest/leaflet.js"
cp leaflet/package/dist/leaflet.css "$dest/leaflet.css"
cp leaflet/package/dist/images/*.png "$dest/images/"
cp leaflet/package/LICENSE "$dest/LICENSE.leaflet"
strip_map markercluster/package/dist/leaflet.markercluster.js "$dest/leaflet.markercluster.js"
cp markercluster/package/dist/MarkerCluster.css "$dest/MarkerCluster.css"
cp markercluster/package/dist/MarkerCluster.Default.css "$dest/MarkerCluster.Default.css"
cp markercluster/package/MIT-LICENCE.txt "$dest/LICENSE.leaflet.markercluster"

chmod 644 "$dest"/*.js "$dest"/*.css "$dest"/LICENSE.* "$dest"/images/*.png
{
  echo "# Vendored by scripts/vendor-js.sh from the npm registry; do not edit by hand."
  echo "$LEAFLET"
  echo "$MARKERCLUSTER"
  (cd "$dest" && sha256sum leaflet.js leaflet.css leaflet.markercluster.js \
      MarkerCluster.css MarkerCluster.Default.css images/*.png)
} > "$dest/VERSIONS"
echo "vendored into $dest:"
cat "$dest/VERSIONS"
