import { type FormEvent, type ReactElement, useRef, useState } from 'react';
import { api, ApiError, type Whoami } from '../api';
import { batchHref } from '../router';

const FORMS = ['ore', 'concentrate', 'mixed_compound', 'oxide', 'metal', 'alloy', 'magnet', 'residue'];

/**
 * Record a mined batch (producers). The API's own validation errors are shown beside their fields; an
 * Idempotency-Key made once per filled-in form means a double click writes one event.
 */
export function RecordPage({ me }: { me: Whoami }) {
  const [fields, setFields] = useState({
    batchId: '',
    facilityId: me.facilities[0]?.facilityId ?? '',
    form: 'concentrate',
    massKg: '',
    occurredAt: '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<string | undefined>();
  const [sending, setSending] = useState(false);
  const idempotencyKey = useRef(crypto.randomUUID());
  const set = (name: keyof typeof fields) => (event: { target: { value: string } }) => {
    setFields({ ...fields, [name]: event.target.value });
    idempotencyKey.current = crypto.randomUUID();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setOutcome(undefined);
    const body = {
      batchId: fields.batchId,
      facilityId: fields.facilityId,
      material: { form: fields.form },
      massKg: fields.massKg === '' ? undefined : Number(fields.massKg),
      occurredAt: fields.occurredAt === '' ? undefined : new Date(fields.occurredAt).toISOString(),
    };
    setSending(true);
    try {
      await api('/batches/mined', {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'idempotency-key': idempotencyKey.current },
      });
      setOutcome(fields.batchId);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      const byField: Record<string, string> = {};
      for (const item of error.problem.errors ?? []) {
        const name = (item.field ?? '').split('.')[0] ?? '';
        byField[name === 'material' ? 'form' : name || 'form-error'] = (
          item.messages ?? [error.problem.code]
        ).join('; ');
      }
      if (Object.keys(byField).length === 0)
        byField['form-error'] = `${error.problem.code}: ${error.problem.detail ?? ''}`;
      setErrors(byField);
    } finally {
      setSending(false);
    }
  };

  const field = (name: keyof typeof fields, label: string, input: ReactElement) => (
    <label>
      {label}
      {input}
      {errors[name] && (
        <span className="field-error" id={`${name}-error`} role="alert">
          ⚠ {errors[name]}
        </span>
      )}
    </label>
  );
  return (
    <>
      <h1>Record a mined batch</h1>
      <form
        className="record filters"
        onSubmit={(event) => void submit(event)}
        aria-label="Record a mined batch"
      >
        {field(
          'batchId',
          'Batch id',
          <input name="batchId" value={fields.batchId} onChange={set('batchId')} />,
        )}
        {field(
          'facilityId',
          'Mine (facility)',
          <select name="facilityId" value={fields.facilityId} onChange={set('facilityId')}>
            {me.facilities.map((facility) => (
              <option key={facility.facilityId} value={facility.facilityId}>
                {facility.name} ({facility.country})
              </option>
            ))}
          </select>,
        )}
        {field(
          'form',
          'Material form',
          <select name="form" value={fields.form} onChange={set('form')}>
            {FORMS.map((form) => (
              <option key={form}>{form}</option>
            ))}
          </select>,
        )}
        {field(
          'massKg',
          'Mass (kg)',
          <input name="massKg" inputMode="decimal" value={fields.massKg} onChange={set('massKg')} />,
        )}
        {field(
          'occurredAt',
          'Occurred at (local time)',
          <input
            name="occurredAt"
            type="datetime-local"
            step={1}
            value={fields.occurredAt}
            onChange={set('occurredAt')}
          />,
        )}
        <button type="submit" aria-disabled={sending}>
          Record
        </button>
      </form>
      {errors['form-error'] && (
        <p role="alert" className="error">
          {errors['form-error']}
        </p>
      )}
      {outcome && (
        <p role="status" className="ok">
          Recorded <a href={batchHref(outcome)}>{outcome}</a>.
        </p>
      )}
    </>
  );
}
