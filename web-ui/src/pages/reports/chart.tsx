// A uPlot chart that fills its container's width and follows resizes. Charts are drawn on a canvas,
// so each page also shows the same figures in a table for screen readers.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export function Chart({ options, data, label, testId }: { options: Omit<uPlot.Options, 'width'>; data: uPlot.AlignedData; label: string; testId?: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = (): number => Math.max(280, el.clientWidth);
    const plot = new uPlot({ ...options, width: width() }, data, el);
    const onResize = (): void => plot.setSize({ width: width(), height: options.height });
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      plot.destroy();
    };
  }, [options, data]);
  return <div class="chart" ref={box} role="img" aria-label={label} data-testid={testId} />;
}

/** Colours with enough contrast on white, one per series, stable by position. */
export const PALETTE = ['#0b57d0', '#146c2e', '#b3261e', '#7a4f00', '#6a1b9a', '#00695c', '#ad1457', '#37474f', '#e65100', '#1565c0', '#558b2f', '#4e342e'];
