#!/bin/sh
# Reads docs/ as a browser shows it: each page converted from GitHub Markdown ($…$ math included)
# to HTML by pandoc, typeset by MathJax in headless Chromium, printed to PDF and cut into PNG
# pages, so that a person (or a review) can look at what a learner will see.
#
#     apt-get install pandoc chromium libjs-mathjax poppler-utils
#     sh scripts/render_pages.sh [OUT]          writes OUT/docs/*.html, OUT/*.pdf, OUT/*-N.png
#                                               (OUT defaults to rendered/, which git ignores)
set -e
out=${1:-rendered}
mathjax=/usr/share/javascript/mathjax/MathJax.js
[ -f "$mathjax" ] || { echo "error: MathJax is missing: apt-get install libjs-mathjax" >&2; exit 1; }
mkdir -p "$out/docs"
out=$(cd "$out" && pwd)
rm -f "$out/plots" && ln -s "$PWD/plots" "$out/plots"
cat > "$out/docs/page.css" <<'CSS'
body { max-width: 980px; margin: 2em auto; font: 16px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1f2328; }
pre { background: #f6f8fa; padding: 16px; overflow: auto; font-size: 85%; line-height: 1.45; border-radius: 6px; }
@media print { pre { white-space: pre-wrap; overflow-wrap: anywhere; } }
code { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; }
img { max-width: 100%; }
table { border-collapse: collapse; } td, th { border: 1px solid #d0d7de; padding: 6px 13px; }
CSS
for page in docs/*.md; do
  name=$(basename "$page" .md)
  pandoc -f gfm+tex_math_dollars -t html5 -s --metadata title="$name" -c page.css \
    --mathjax="file://$mathjax?config=TeX-AMS_CHTML" "$page" -o "$out/docs/$name.html"
  chromium --headless --no-sandbox --disable-gpu --virtual-time-budget=10000 \
    --print-to-pdf="$out/$name.pdf" "file://$out/docs/$name.html" 2>/dev/null
  pdftoppm -r 60 -png "$out/$name.pdf" "$out/$name"
done
echo "rendered $(ls docs/*.md | wc -l) pages into $out/"
