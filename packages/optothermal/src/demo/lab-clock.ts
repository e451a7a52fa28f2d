/** Calendar days and the lab's wall clock: folders are local dates, start times are epoch seconds. */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `count` consecutive dates from `start` (YYYY-MM-DD), in calendar order. */
export function labDays(start: string, count: number): string[] {
  const [year, month, day] = parseDate(start);
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(year, month - 1, day + i)).toISOString().slice(0, 10));
}

/** Epoch seconds of `hours` after local midnight of `date` in `timeZone` (DST-aware). */
export function localTimeToEpoch(date: string, hours: number, timeZone: string): number {
  const [year, month, day] = parseDate(date);
  const wallClock = Date.UTC(year, month - 1, day) + hours * 3_600_000;
  // The zone's offset depends on the instant itself; a second pass settles a DST change in between.
  let instant = wallClock - offsetMs(wallClock, timeZone);
  instant = wallClock - offsetMs(instant, timeZone);
  return instant / 1000;
}

/** The local date (YYYY-MM-DD) of an epoch-seconds instant in `timeZone`. */
export function localDate(epochSeconds: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    new Date(epochSeconds * 1000),
  );
}

function offsetMs(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(new Date(instant));
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return local - Math.floor(instant / 1000) * 1000;
}

function parseDate(date: string): [number, number, number] {
  const match = DATE.exec(date);
  const parsed = match ? new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : undefined;
  if (!match || !parsed || parsed.toISOString().slice(0, 10) !== date) {
    throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  }
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}
