/**
 * Line icons drawn as inline SVG (currentColor), so they show on machines without an emoji font (office Linux
 * shows 👍 as an empty box). Decorative: the button that holds one carries the label.
 */
const SVG = 'http://www.w3.org/2000/svg';

/** The icons' strokes (24 × 24): a thumb (down is the same turned over), a speech bubble, a cross. */
const PATHS = {
  up: ['M7 10v11H3V10z', 'M7 10l4-8c1.6 0 2.6 1.2 2.3 2.8L12.6 9H19a2 2 0 0 1 2 2.3l-1.3 7.6A2.5 2.5 0 0 1 17.2 21H7'],
  chat: ['M4 5.5A2.5 2.5 0 0 1 6.5 3h11A2.5 2.5 0 0 1 20 5.5v8a2.5 2.5 0 0 1-2.5 2.5H10l-4.5 4v-4h0A2.5 2.5 0 0 1 4 13.5z', 'M8 8.5h8M8 11.5h5'],
  close: ['M6 6l12 12M18 6L6 18'],
};

export function icon(name: 'up' | 'down' | 'chat' | 'close', size = 18): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', 'yj-icon');
  const g = document.createElementNS(SVG, 'g');
  g.setAttribute('fill', 'none');
  g.setAttribute('stroke', 'currentColor');
  g.setAttribute('stroke-width', '1.8');
  g.setAttribute('stroke-linecap', 'round');
  g.setAttribute('stroke-linejoin', 'round');
  if (name === 'down') g.setAttribute('transform', 'rotate(180 12 12)');
  for (const d of PATHS[name === 'down' ? 'up' : name]) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    g.append(path);
  }
  svg.append(g);
  return svg;
}
