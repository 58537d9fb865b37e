#!/usr/bin/env bash
# test/demo.sh -- `make demo`: a readable walk through the main job against a
# private throwaway cluster (see test/demo.sql), ending with a chart of the
# demo tenant's positive rate per day from stats(), drawn by gnuplot into
# docs/positive-rate.png.

source "$(dirname "$0")/harness.sh"

harness_setup gnuplot-nox
cluster_start
cd "$TOP"
chart="$TOP/docs/positive-rate.png"
data="$(mktemp /tmp/feedback-demo.XXXXXX)"
chmod 666 "$data"
psql -qX -c 'CREATE DATABASE feedback_demo' >/dev/null
psql -X -d feedback_demo -v ON_ERROR_STOP=1 -v chart_data="$data" --echo-queries -f test/demo.sql || exit 1
[ -s "$data" ] || { echo "error: stats() gave no day to chart" >&2; exit 1; }
mkdir -p "$TOP/docs"
gnuplot <<GP || exit 1
set terminal pngcairo size 800,450 font ",11" noenhanced
set output "$chart"
set title "Positive rate per day, last 30 days (feedback.stats, bucket => 'day')"
set datafile separator "|"
set xdata time
set timefmt "%Y-%m-%d"
set format x "%d %b"
set xtics rotate by -45
set yrange [0:1]
set ylabel "positive / (positive + negative)"
set y2label "feedback per day"
set y2range [0:*]
set y2tics
set ytics nomirror
set grid
set key bottom right
set boxwidth 72000
plot "$data" using 1:2 axes x1y1 with linespoints lw 2 pt 7 title "positive_rate", \
     "$data" using 1:3 axes x1y2 with boxes fs transparent solid 0.2 noborder title "feedback"
GP
rm -f "$data"
echo
echo "chart of the positive rate per day: docs/positive-rate.png"
echo "demo finished; the private cluster is removed"
