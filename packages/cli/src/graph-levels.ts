/**
 * Each step's level in a dependency graph, from 0: 0 for steps that wait for nothing, else one more than
 * the deepest step they wait for (the longest path to them). Steps on a cycle keep level 0.
 */
export function longestPathLevels(upstream: readonly (readonly number[])[]): number[] {
  const level = new Array<number>(upstream.length).fill(0);
  const waiting = upstream.map((deps) => deps.length);
  const downstream = upstream.map((): number[] => []);
  upstream.forEach((deps, i) => deps.forEach((d) => downstream[d]?.push(i)));
  const ready = waiting.flatMap((count, i) => (count === 0 ? [i] : []));
  for (let head = 0; head < ready.length; head++) {
    const i = ready[head] as number;
    for (const next of downstream[i] ?? []) {
      level[next] = Math.max(level[next] as number, (level[i] as number) + 1);
      waiting[next] = (waiting[next] as number) - 1;
      if (waiting[next] === 0) ready.push(next);
    }
  }
  return level;
}
