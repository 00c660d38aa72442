/**
 * Confidence bounds for proportions: small, dependency-free numerics for the attribute analysis.
 */

/**
 * The Wilson score interval of a proportion x/n at normal quantile z: [low, high], within [0, 1]. Unlike the
 * Wald interval it does not collapse to a point at 0 or n successes, which is what keeps "1 of 1" honest.
 * (E. B. Wilson, "Probable inference, the law of succession, and statistical inference", JASA 22, 1927.)
 */
export function wilsonInterval(x: number, n: number, z: number): [number, number] {
  if (n <= 0) {
    return [0, 1];
  }
  const p = x / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** The z with P(Z > z) = alpha for a standard normal Z (alpha in (0, 1)). */
export function oneSidedZ(alpha: number): number {
  return -inverseNormal(alpha);
}

// Coefficients of P. J. Acklam's rational approximation of the inverse normal CDF (relative error < 1.15e-9),
// as published at https://web.archive.org/web/20151030215612/http://home.online.no/~pjacklam/notes/invnorm/
const A = [
  -3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1,
  2.506628277459239,
];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [
  -7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

/** Φ⁻¹(p): the standard normal quantile (Acklam's approximation; ±Infinity at 0 and 1). */
export function inverseNormal(p: number): number {
  if (p <= 0) {
    return -Infinity;
  }
  if (p >= 1) {
    return Infinity;
  }
  if (p < P_LOW) {
    return tail(Math.sqrt(-2 * Math.log(p)));
  }
  if (p > 1 - P_LOW) {
    return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  );
}

function tail(q: number): number {
  return (
    (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
    ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1)
  );
}
