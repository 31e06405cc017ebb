#!/usr/bin/env bash
# Re-vendors the dashboard's third-party libraries into src/Auspex.Server/wwwroot/lib from the npm registry.
# Usage: eng/vendor-dashboard-libs.sh [echarts-version] [three-version]   (needs node and npm; run from the repo root)
# The dashboard never loads anything from a CDN: these files are embedded in Auspex.Server and served under /ui/lib.
set -euo pipefail
ECHARTS=${1:-6.1.0}
THREE=${2:-0.187.0}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LIB="$ROOT/src/Auspex.Server/wwwroot/lib"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts "echarts@$ECHARTS" "three@$THREE" "esbuild@0.28.2" >/dev/null
mkdir -p "$LIB/echarts" "$LIB/three"
# ECharts: the published minified "common" build (line, bar, scatter, pie + the usual components).
cp node_modules/echarts/dist/echarts.common.min.js node_modules/echarts/LICENSE node_modules/echarts/NOTICE "$LIB/echarts/"
rm -rf "$LIB/echarts/licenses" && cp -r node_modules/echarts/licenses "$LIB/echarts/"
# three.js ships no minified ES module since r17x: bundle three + OrbitControls into one minified ES module.
cat > entry.js <<'JS'
export * from 'three';
export { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
JS
npx esbuild entry.js --bundle --format=esm --minify --legal-comments=inline --outfile="$LIB/three/three.min.js" --log-level=warning
cp node_modules/three/LICENSE "$LIB/three/"
ls -l "$LIB"/echarts/*.js "$LIB"/three/*.js
