import '@testing-library/jest-dom';

// The machines that run these tests are shared and slow; user-event journeys through dialogs
// take seconds there.
jest.setTimeout(60_000);

// jsdom lays out no SVG: graphs (DependencyGraph) measure their nodes with getBBox. A box about the
// size of its text keeps their layout code on the path a browser takes.
if (typeof SVGElement !== 'undefined' && !('getBBox' in SVGElement.prototype)) {
  Object.defineProperty(SVGElement.prototype, 'getBBox', {
    configurable: true,
    value(this: SVGElement) {
      const width = (this.textContent ?? '').length * 7;
      return { x: 0, y: 0, width, height: 16 };
    },
  });
}
