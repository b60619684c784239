/** Inline SVG bar charts: tokens per model call, and step durations. No script, no styles from data. */
import type { HistoryItem } from '@cairn/core';
import { h, s } from '../dom.ts';
import { count, duration } from '../format.ts';

interface Bar {
  label: string;
  value: number;
  /** Stacked second part (output tokens). */
  second?: number;
  text: string;
}

function barChart(title: string, bars: readonly Bar[], attribute: string): HTMLElement {
  const rowHeight = 16;
  const max = Math.max(1, ...bars.map((b) => b.value + (b.second ?? 0)));
  const width = 260;
  const svg = s(
    'svg',
    {
      class: 'chart',
      [attribute]: bars.length,
      width: 520,
      height: bars.length * rowHeight + 4,
      role: 'img',
      'aria-label': title,
    },
    ...bars.flatMap((b, i) => {
      const y = i * rowHeight + 2;
      const first = Math.max(1, Math.round((width * b.value) / max));
      const second = b.second ? Math.round((width * b.second) / max) : 0;
      return [
        s('text', { x: 0, y: y + 11, class: 'label' }, b.label.length > 22 ? `${b.label.slice(0, 21)}…` : b.label),
        s('rect', { x: 150, y, width: first, height: rowHeight - 4, class: 'first' }),
        ...(second ? [s('rect', { x: 150 + first, y, width: second, height: rowHeight - 4, class: 'second' })] : []),
        s('text', { x: 155 + first + second, y: y + 11, class: 'value' }, b.text),
      ];
    }),
  );
  return h('figure', {}, h('figcaption', {}, title), svg);
}

/** Tokens per model call (input and output stacked) and step durations. */
export function renderCharts(history: readonly HistoryItem[]): HTMLElement[] {
  const calls = history.filter((item) => item.kind === 'step-end' && item.usage);
  const steps = history.filter(
    (item) => (item.kind === 'step-end' || item.kind === 'step-fail') && item.durationMs !== undefined,
  );
  const charts: HTMLElement[] = [];
  if (calls.length > 0)
    charts.push(
      barChart(
        'Tokens per model call (input · output)',
        calls.map((item) => ({
          label: item.key,
          value: item.usage!.inputTokens,
          second: item.usage!.outputTokens,
          text: `${count(item.usage!.inputTokens)} · ${count(item.usage!.outputTokens)}`,
        })),
        'data-chart-tokens',
      ),
    );
  if (steps.length > 0)
    charts.push(
      barChart(
        'Step durations',
        steps.map((item) => ({ label: item.key, value: item.durationMs!, text: duration(item.durationMs!) })),
        'data-chart-durations',
      ),
    );
  return charts;
}
