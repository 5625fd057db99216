// "Did you mean": the known names closest to a mistyped one. A leaf: imports nothing.

/** Edit distance (insertions, deletions, substitutions, and swaps of neighbours), case-insensitive. */
export function distance(a: string, b: string): number {
    const [x, y] = [a.toLowerCase(), b.toLowerCase()];
    // The first row counts insertions, the first column deletions; the loop below fills the rest.
    const d = Array.from({ length: x.length + 1 }, (_, i) =>
        Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : i)),
    );
    for (let i = 1; i <= x.length; i++) {
        for (let j = 1; j <= y.length; j++) {
            const cost = x[i - 1] === y[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            // At the first letter of either, x[-1] or y[-1] is undefined and matches no letter.
            if (x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1])
                d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[x.length][y.length];
}

/**
 * The known names nearest to `word` (up to `count` of those equally near), if within a third of its
 * length (at least 2 edits): close enough to be a slip, not merely another name.
 */
export function nearest(word: string, known: Iterable<string>, count = 3): string[] {
    const limit = Math.max(2, Math.floor(word.length / 3));
    const near = [...new Set(known)]
        .map((name) => ({ name, d: distance(word, name) }))
        .filter(({ d }) => d <= limit);
    const least = Math.min(...near.map(({ d }) => d));
    return near
        .filter(({ d }) => d === least)
        .map(({ name }) => name)
        .sort()
        .slice(0, count);
}

/**
 * "; did you mean a, b or c?" for the nearest names, or "" when none is near. Keys are compared
 * without their namespace (`prefix`, such as "aws:"), which is printed back.
 */
export function didYouMean(word: string, known: Iterable<string>, prefix = ""): string {
    const bare = (name: string) => (name.startsWith(prefix) ? name.slice(prefix.length) : name);
    const names = nearest(bare(word), [...known].map(bare)).map((name) => prefix + name);
    if (names.length === 0) return "";
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
    return `; did you mean ${list}?`;
}
