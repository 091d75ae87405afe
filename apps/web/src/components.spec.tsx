import { renderToStaticMarkup } from 'react-dom/server';
import { BarChart } from './components/Charts';
import { RECEIVE } from './forms/command-bodies';
import { CommandForm } from './forms/CommandForm';
import { parseRoute, recordHref } from './router';

/** The views rendered to HTML on the server side of React (no DOM needed): what a reader is given. */
describe('the explorer’s views, rendered', () => {
  it('labels every input of a record form, and marks none invalid before a refusal', () => {
    const html = renderToStaticMarkup(
      <CommandForm
        title="Receive a shipment"
        spec={RECEIVE}
        submitLabel="Receive"
        initial={{}}
        fields={[
          { name: 'batchId', label: 'Batch id' },
          { name: 'receivedMassKg', label: 'Mass received (kg)', inputMode: 'decimal', hint: 'As weighed' },
        ]}
        done={() => 'done'}
      />,
    );
    for (const name of ['batchId', 'receivedMassKg']) {
      expect(html).toContain(`<label for="${name}">`);
      expect(html).toContain(`id="${name}"`);
    }
    expect(html).toContain('aria-describedby="receivedMassKg-hint"');
    expect(html).not.toContain('aria-invalid');
    expect(html).toContain('aria-label="Receive a shipment"');
    expect(html).toMatch(/<button type="submit"[^>]*>Receive<\/button>/);
  });

  it('offers suggestions for a field in a datalist tied to its input', () => {
    const html = renderToStaticMarkup(
      <CommandForm
        title="Ship a batch"
        spec={RECEIVE}
        submitLabel="Ship"
        initial={{}}
        fields={[{ name: 'batchId', label: 'Batch id', suggestions: ['MW-1', 'MW-2'] }]}
        done={() => 'done'}
      />,
    );
    expect(html).toContain('list="batchId-suggestions"');
    expect(html).toContain(
      '<datalist id="batchId-suggestions"><option value="MW-1"></option><option value="MW-2"></option></datalist>',
    );
  });

  it('writes each bar’s value beside it, so the chart is not read by bar length or colour alone', () => {
    const html = renderToStaticMarkup(
      <BarChart
        title="Origin mix by country"
        unit="%"
        rows={[
          { label: 'AU', value: 0.75 },
          { label: 'CA', value: 0.25 },
        ]}
      />,
    );
    expect(html).toContain('role="img"');
    expect(html).toContain('aria-label="Origin mix by country"');
    expect(html).toContain('data-value="0.75"');
    expect(html).toContain('75.00 %');
    expect(html).toContain('25.00 %');
  });

  it('routes the hash: a batch, a licence, the verifier and the three record forms', () => {
    expect(parseRoute('#/batches/MW%2F1')).toEqual({ page: 'batch', batchId: 'MW/1' });
    expect(parseRoute('#/licences/L-1')).toEqual({ page: 'licence', licenceId: 'L-1' });
    expect(parseRoute('#/verify')).toEqual({ page: 'verify' });
    expect(parseRoute('#/record')).toEqual({ page: 'record', form: 'mined' });
    expect(parseRoute('#/record/ship')).toEqual({ page: 'record', form: 'ship' });
    expect(parseRoute('#/record/receive')).toEqual({ page: 'record', form: 'receive' });
    expect(parseRoute('#/record/anything')).toEqual({ page: 'record', form: 'mined' });
    expect(parseRoute('')).toEqual({ page: 'batches' });
    expect(['mined', 'ship', 'receive'].map((form) => recordHref(form as 'mined'))).toEqual([
      '#/record',
      '#/record/ship',
      '#/record/receive',
    ]);
  });
});
