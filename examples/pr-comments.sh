#!/usr/bin/env bash
# Posts each report's PR comment (`reportpress export ID --format pr`) on the pull requests the
# report names, or updates the comment posted there before, in place: a comment is found by its
# first line, `<!-- reportpress:report=UUID -->`, so a pull request carries one comment per
# report however often this runs. A comment already up to date is left alone.
#
#   examples/pr-comments.sh [--status STATUS]... [--dry-run] [-- REPORTPRESS_ARGS...]
#
# REPORTPRESS_ARGS (after `--`) choose the reports for both `list` and `export`: `--database URL`
# (or DATABASE_URL in the environment), `--team ID`, `--redact people`. BASE_URL, when set, is
# passed to `export --base-url`, so the comment links the published archive.
#
# Needs `reportpress` (or REPORTPRESS naming the binary), `jq`, and `gh` signed in with a token
# that may comment on the pull requests' repositories (GH_TOKEN). The pull requests are those of
# the summary table reportpress writes (github.com links only), never links in the report's
# text: a summary written by an agent cannot send comments elsewhere.
set -euo pipefail

reportpress=${REPORTPRESS:-reportpress}
statuses=()
dry_run=false
while (($#)); do
  case $1 in
    --status)
      statuses+=(--status "${2:?--status needs a value}")
      shift 2
      ;;
    --dry-run)
      dry_run=true
      shift
      ;;
    --)
      shift
      break
      ;;
    *)
      echo "pr-comments.sh: unknown argument $1 (reportpress's own go after --)" >&2
      exit 2
      ;;
  esac
done
export_args=()
if [[ -n ${BASE_URL:-} ]]; then
  export_args+=(--base-url "$BASE_URL")
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The pull requests of a PR comment's summary table: the row after the table's first `| --- |`
# line, its links of the form (<https://github.com/OWNER/REPO/pull/N>), as `OWNER/REPO N`.
pull_requests() {
  awk '/^\| --- \|/ { getline; print; exit }' "$1" |
    grep -oE '\(<https://github\.com/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/pull/[0-9]+>\)' |
    sed -E 's#^\(<https://github\.com/([^/]+/[^/]+)/pull/([0-9]+)>\)$#\1 \2#' |
    sort -u || true
}

"$reportpress" list --format json "${statuses[@]}" "$@" >"$work/list.json"
jq -r '.[].id' "$work/list.json" >"$work/ids"
posted=0 updated=0 unchanged=0
while read -r id; do
  comment="$work/$id.md"
  "$reportpress" export "$id" --format pr "${export_args[@]}" "$@" </dev/null >"$comment"
  marker="<!-- reportpress:report=$id -->"
  while read -r repo number; do
    [[ -n $repo ]] || continue
    # Every page of the comments (arrays, one after another), then the first with the marker.
    gh api --paginate "repos/$repo/issues/$number/comments" </dev/null >"$work/comments.json"
    existing=$(jq -c --arg marker "$marker" \
      '[.[] | select((.body // "") | contains($marker))] | first // empty | {id, body}' \
      "$work/comments.json" | jq -sc 'first // empty')
    jq -n --rawfile body "$comment" '{body: $body}' >"$work/body.json"
    if [[ -z $existing ]]; then
      echo "pr-comments.sh: report $id: posting on $repo#$number" >&2
      $dry_run || gh api --method POST "repos/$repo/issues/$number/comments" \
        --input "$work/body.json" </dev/null >/dev/null
      posted=$((posted + 1))
    elif [[ $(jq -r '.body' <<<"$existing") == "$(jq -r '.body' "$work/body.json")" ]]; then
      unchanged=$((unchanged + 1))
    else
      comment_id=$(jq -r '.id' <<<"$existing")
      echo "pr-comments.sh: report $id: updating comment $comment_id on $repo#$number" >&2
      $dry_run || gh api --method PATCH "repos/$repo/issues/comments/$comment_id" \
        --input "$work/body.json" </dev/null >/dev/null
      updated=$((updated + 1))
    fi
  done < <(pull_requests "$comment")
done <"$work/ids"
echo "pr-comments.sh: $posted posted, $updated updated, $unchanged up to date" >&2
