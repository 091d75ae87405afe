import { type FormEvent, type ReactNode, useRef, useState } from 'react';
import { api, ApiError } from '../api';
import type { CommandSpec, Values } from './command-bodies';
import { type FieldErrors, FORM_LEVEL, problemToFieldErrors } from './problem-fields';

/** One input of a form: a text box, or a choice among options. */
export interface Field {
  readonly name: string;
  readonly label: string;
  readonly options?: readonly { readonly value: string; readonly label: string }[];
  readonly type?: 'text' | 'datetime-local';
  readonly inputMode?: 'decimal';
  readonly hint?: string;
  /** Values to offer as the reader types (a datalist): the input still takes any. */
  readonly suggestions?: readonly string[];
}

/**
 * A command's form: the API's own refusals shown beside the fields they are about (each input described
 * by its message, `aria-invalid`), and one Idempotency-Key per form as filled in — made anew whenever a
 * field changes, kept while it does not — so a double click, or a retry after a lost answer, writes one
 * event.
 */
export function CommandForm({
  title,
  spec,
  fields,
  initial,
  submitLabel,
  done,
}: {
  title: string;
  spec: CommandSpec;
  fields: readonly Field[];
  initial: Values;
  submitLabel: string;
  done: (values: Values, reply: Record<string, unknown>) => ReactNode;
}) {
  const [values, setValues] = useState<Values>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [outcome, setOutcome] = useState<ReactNode>();
  const [sending, setSending] = useState(false);
  const idempotencyKey = useRef(crypto.randomUUID());
  const set = (name: string) => (event: { target: { value: string } }) => {
    setValues({ ...values, [name]: event.target.value });
    idempotencyKey.current = crypto.randomUUID();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setOutcome(undefined);
    if (spec.pathField !== undefined && (values[spec.pathField] ?? '').trim() === '') {
      setErrors({ [spec.pathField]: `Give the ${spec.pathField}: it names the lot in the request's path` });
      return;
    }
    const request = spec.request(values);
    setSending(true);
    try {
      const reply = await api<Record<string, unknown>>(request.path, {
        method: 'POST',
        body: JSON.stringify(request.body),
        headers: { 'idempotency-key': idempotencyKey.current },
      });
      setOutcome(done(values, reply));
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      setErrors(problemToFieldErrors(error.problem, spec));
    } finally {
      setSending(false);
    }
  };

  return (
    <>
      <h1>{title}</h1>
      <form className="record" onSubmit={(event) => void submit(event)} aria-label={title} noValidate>
        {fields.map((field) => {
          const error = errors[field.name];
          const described = [field.hint && `${field.name}-hint`, error && `${field.name}-error`]
            .filter(Boolean)
            .join(' ');
          const common = {
            id: field.name,
            name: field.name,
            value: values[field.name] ?? '',
            onChange: set(field.name),
            'aria-invalid': error ? true : undefined,
            'aria-describedby': described || undefined,
          };
          return (
            <div className="field" key={field.name}>
              <label htmlFor={field.name}>{field.label}</label>
              {field.options ? (
                <select {...common}>
                  {field.options.map((option) => (
                    <option key={option.value} value={option.value}>
                      {option.label}
                    </option>
                  ))}
                </select>
              ) : (
                <input
                  {...common}
                  type={field.type ?? 'text'}
                  step={field.type === 'datetime-local' ? 1 : undefined}
                  inputMode={field.inputMode}
                  list={field.suggestions ? `${field.name}-suggestions` : undefined}
                />
              )}
              {field.suggestions && (
                <datalist id={`${field.name}-suggestions`}>
                  {field.suggestions.map((suggestion) => (
                    <option key={suggestion} value={suggestion} />
                  ))}
                </datalist>
              )}
              {field.hint && (
                <span className="hint" id={`${field.name}-hint`}>
                  {field.hint}
                </span>
              )}
              {error && (
                <span className="field-error" id={`${field.name}-error`} role="alert">
                  <span aria-hidden="true">⚠ </span>
                  {error}
                </span>
              )}
            </div>
          );
        })}
        <button type="submit" aria-disabled={sending}>
          {submitLabel}
        </button>
      </form>
      {errors[FORM_LEVEL] && (
        <p role="alert" className="error" data-testid="form-error">
          <span aria-hidden="true">⚠ </span>
          {errors[FORM_LEVEL]}
        </p>
      )}
      {outcome && (
        <p role="status" className="ok">
          <span aria-hidden="true">✔ </span>
          {outcome}
        </p>
      )}
    </>
  );
}
