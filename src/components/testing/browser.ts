/**
 * Test-only: what jsdom lacks and Grafana's Combobox uses. The scaffold's jest setup stubs canvas `getContext` to
 * return nothing, but Combobox measures its option labels on a 2D context (here: 7 px per character), and its menu
 * watches scrolling with an IntersectionObserver (here: one that never reports).
 */
export function installBrowserStubs(): void {
  const context = {
    font: '',
    measureText: (text: string) => ({ width: text.length * 7 }) as TextMetrics,
  };
  HTMLCanvasElement.prototype.getContext = (() => context) as unknown as HTMLCanvasElement['getContext'];
  if (!('IntersectionObserver' in window)) {
    class NoIntersections {
      observe() {}
      unobserve() {}
      disconnect() {}
      takeRecords() {
        return [];
      }
    }
    Object.defineProperty(window, 'IntersectionObserver', { value: NoIntersections, writable: true });
  }
}
