import type { Rng } from './random.js';

/** A random unit vector. */
export function randomUnitVector(r: Rng, dimensions: number): Float32Array {
  const v = new Float32Array(dimensions);
  let sum = 0;
  for (let i = 0; i < dimensions; i++) {
    // Roughly Gaussian (sum of uniforms), so directions are spread evenly.
    const x = r.next() + r.next() + r.next() - 1.5;
    v[i] = x;
    sum += x * x;
  }
  const n = Math.sqrt(sum) || 1;
  for (let i = 0; i < dimensions; i++) v[i] = v[i]! / n;
  return v;
}
