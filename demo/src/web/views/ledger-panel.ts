/** The outside world of one run: the refunds and e-mails its tools caused, from the ledger. */
import type { SideEffect } from '../../shared/side-effects.ts';
import { h } from '../dom.ts';
import { clock } from '../format.ts';

/** The ledger lines of a run, with a count that the reader (and the e2e test) can check. */
export function renderLedger(effects: readonly SideEffect[]): HTMLElement {
  const refunds = effects.filter((effect) => effect.kind === 'refund').length;
  const emails = effects.filter((effect) => effect.kind === 'email').length;
  return h(
    'div',
    { class: 'ledger', 'data-refunds': refunds, 'data-emails': emails },
    h(
      'p',
      { class: 'hint' },
      `${refunds} refund${refunds === 1 ? '' : 's'} · ${emails} e-mail${emails === 1 ? '' : 's'} recorded by the outside world for this run ` +
        '(localStorage, appended blindly: a repeated side effect would show here twice).',
    ),
    effects.length === 0
      ? ''
      : h(
          'table',
          {},
          h(
            'thead',
            {},
            h('tr', {}, h('th', {}, 'when'), h('th', {}, 'effect'), h('th', {}, 'reference'), h('th', {}, 'idempotency key')),
          ),
          h(
            'tbody',
            {},
            ...effects.map((effect) =>
              h(
                'tr',
                {},
                h('td', {}, clock(effect.at)),
                h('td', {}, effect.summary),
                h('td', { class: 'mono' }, effect.reference),
                h('td', { class: 'mono' }, effect.idempotencyKey),
              ),
            ),
          ),
        ),
  );
}
