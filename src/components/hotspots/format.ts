/** Durations arrive in µs from the engine; people read ms. */
export function ms(us: number): string {
  if (!Number.isFinite(us)) {
    return '–';
  }
  const value = us / 1000;
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function percent(share: number, digits = 1): string {
  return `${(share * 100).toFixed(digits)} %`;
}

export function count(n: number): string {
  return n.toLocaleString('en-US');
}
