// How long a stream has been silent, for the pages' watchdogs. Timed by both clocks, silent when either says so: by
// the wall clock alone, one stepped back an hour (NTP, by hand) hid a dead stream for the hour; by the monotonic one
// alone, which some systems stop while asleep, a stream that died in a sleep read as live for a while after waking.
const now = () => ({ mono: performance.now(), wall: Date.now() });

export function silence() {
  let last = now();
  return {
    heard() { last = now(); },
    longerThan(ms) {
      const t = now();
      return t.mono - last.mono > ms || t.wall - last.wall > ms;
    },
  };
}
