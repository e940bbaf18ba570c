// Line charts with uPlot (small and fast: canvas, tens of KB; docs in the README's dependencies).
import uPlot from 'uplot';

export interface LineChart {
  set(x: number[], ys: number[][]): void;
}

export function lineChart(host: HTMLElement, labels: string[], colors: string[]): LineChart {
  const width = () => Math.max(300, host.clientWidth || 600);
  const plot = new uPlot(
    {
      width: width(),
      height: 180,
      series: [{}, ...labels.map((label, i) => ({ label, stroke: colors[i] ?? '#3b6fd8', width: 2, points: { show: false } }))],
      axes: [{}, { size: 50 }],
      legend: { show: true },
    },
    [[], ...labels.map(() => [])],
    host,
  );
  window.addEventListener('resize', () => plot.setSize({ width: width(), height: 180 }));
  return { set: (x, ys) => plot.setData([x, ...ys]) };
}
