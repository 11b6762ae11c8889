// "Did you mean …" for unknown names: the closest known name by edit distance, if it is close
// enough that the typo reading is likelier than a genuinely new name.
import { distance } from 'fastest-levenshtein';

function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    // Case and separator slips ("Send_Video" for "send-video") count as the closest possible match.
    const folded = candidate.toLowerCase();
    let score = distance(lower, folded);
    if (folded === lower || folded.replace(/[-_]/g, '') === lower.replace(/[-_]/g, '')) {
      score = 0.5;
    } else if (lower.length >= 4 && (folded.startsWith(lower) || lower.startsWith(folded))) {
      score = Math.min(score, 1); // a cut-off name: "multi_tenant" for "multi_tenant_enabled"
    }
    if (
      score < bestDistance ||
      (score === bestDistance && best !== undefined && candidate < best)
    ) {
      best = candidate;
      bestDistance = score;
    }
  }
  const allowed = Math.max(2, Math.floor(name.length / 3));
  return bestDistance <= allowed ? best : undefined;
}

/** `did you mean "x"?` or undefined when nothing is close. */
export function didYouMean(name: string, candidates: Iterable<string>): string | undefined {
  const suggestion = closestName(name, candidates);
  return suggestion === undefined ? undefined : `did you mean "${suggestion}"?`;
}
