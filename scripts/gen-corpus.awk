# Generates a synthetic corpus for load tests from one exported page:
#   awk -v n=2000 -f scripts/gen-corpus.awk data/000_*.txt > corpus.jsonl
# Titles are the page's related titles (with varied prefixes), bodies are
# runs of the page's sentences, related lists are drawn from the titles.
# Deterministic (fixed seed), so runs are comparable.
function esc(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); gsub(/\r/, "", s); gsub(/\t/, " ", s); return s }
function pick(arr, len) { return arr[int(rand() * len) + 1] }
BEGIN { state = 0; nt = 0; ns = 0; if (n == "") n = 2000; srand(42) }
{
  line = $0; gsub(/\r/, "", line); sub(/^[ \t]+/, "", line); sub(/[ \t]+$/, "", line)
  if (line == "") next
  if (state == 0) { state = 1; next }                       # title
  if (state == 1) { state = 2; next }                       # 发布时间
  if (state == 2) {
    if (line ~ /^相关内容[:：]$/) { state = 3; next }
    k = split(line, parts, "。")
    for (i = 1; i <= k; i++) if (length(parts[i]) > 6) sentences[++ns] = parts[i] "。"
    next
  }
  if (state == 3) { if (line == "To Top") { state = 4; next } titles[++nt] = line }
}
END {
  split("|2024年|最新：|详解：|问答：|一文读懂：|必看：|避坑指南：", prefixes, "|")
  np = 8
  for (i = 1; i <= n; i++) {
    title = pick(prefixes, np) pick(titles, nt)
    body = ""
    m = 3 + int(rand() * 12)
    for (j = 0; j < m; j++) body = body pick(sentences, ns)
    rel = ""
    r = 2 + int(rand() * 5)
    for (j = 0; j < r; j++) rel = rel (j ? "," : "") "\"" esc(pick(titles, nt)) "\""
    printf("{\"id\":\"gen-%d\",\"title\":\"%s\",\"body\":\"%s\",\"url\":\"https://example.com/a/%d\",\"published_at\":\"2024-%02d-%02d %02d:%02d:00\",\"tags\":[\"load\"],\"related\":[%s]}\n",
      i, esc(title), esc(body), i, 1 + i % 12, 1 + i % 28, i % 24, i % 60, rel)
  }
}
