import type { Whoami } from '../api';
import { useApi } from '../use-api';
import { listPath, NO_FILTERS } from '../views/batch-list-query';
import { RECEIVE, RECORD_MINED, SHIP } from '../forms/command-bodies';
import { CommandForm } from '../forms/CommandForm';
import { batchHref, recordHref, type RecordForm } from '../router';

const FORMS = ['ore', 'concentrate', 'mixed_compound', 'oxide', 'metal', 'alloy', 'magnet', 'residue'];
const occurredAt = {
  name: 'occurredAt',
  label: 'Occurred at (your local time)',
  type: 'datetime-local',
} as const;
const TABS: readonly { form: RecordForm; label: string }[] = [
  { form: 'mined', label: 'Record a mined batch' },
  { form: 'ship', label: 'Ship a batch' },
  { form: 'receive', label: 'Receive a shipment' },
];

/**
 * The producers' commonest commands, a form each (`/#/record`, `/#/record/ship`, `/#/record/receive`):
 * record a mined batch, ship a lot, receive a shipment addressed to the organisation.
 */
export function RecordPage({ me, form }: { me: Whoami; form: RecordForm }) {
  // The lots the organisation holds (the list's first page), offered on the ship form.
  const held = useApi<{ batches: { batchId: string }[] }>(
    form === 'ship' ? listPath({ ...NO_FILTERS, custodian: me.orgId, status: 'in_custody' }, []) : undefined,
  );
  const heldIds = held.state === 'ready' ? held.value.batches.map((batch) => batch.batchId) : [];
  const recorded = (batchId: string, what: string) => (
    <>
      {what} <a href={batchHref(batchId)}>{batchId}</a>.
    </>
  );
  return (
    <>
      <nav aria-label="Record" className="tabs">
        {TABS.map((tab) => (
          <a key={tab.form} href={recordHref(tab.form)} aria-current={tab.form === form ? 'page' : undefined}>
            {tab.label}
          </a>
        ))}
      </nav>
      {form === 'mined' && (
        <CommandForm
          key="mined"
          title="Record a mined batch"
          spec={RECORD_MINED}
          submitLabel="Record"
          initial={{ facilityId: me.facilities[0]?.facilityId ?? '', form: 'concentrate' }}
          fields={[
            { name: 'batchId', label: 'Batch id' },
            {
              name: 'facilityId',
              label: 'Mine (facility)',
              options: me.facilities.map((facility) => ({
                value: facility.facilityId,
                label: `${facility.name} (${facility.country})`,
              })),
            },
            {
              name: 'form',
              label: 'Material form',
              options: FORMS.map((form) => ({ value: form, label: form })),
            },
            { name: 'massKg', label: 'Mass (kg)', inputMode: 'decimal' },
            occurredAt,
          ]}
          done={(values) => recorded(values.batchId ?? '', 'Recorded')}
        />
      )}
      {form === 'ship' && (
        <CommandForm
          key="ship"
          title="Ship a batch"
          spec={SHIP}
          submitLabel="Ship"
          initial={{}}
          fields={[
            { name: 'batchId', label: 'Batch id (in your custody)', suggestions: heldIds },
            { name: 'shipmentId', label: 'Shipment id' },
            { name: 'toOrgId', label: 'To organisation (id)' },
            { name: 'toFacilityId', label: 'To facility (id)' },
            occurredAt,
            {
              name: 'massKg',
              label: 'Mass to ship (kg, optional)',
              inputMode: 'decimal',
              hint: 'Leave empty to ship the whole lot; less than the lot splits it off into the new lot below.',
            },
            { name: 'shippedBatchId', label: 'New lot id for a part (optional)' },
            { name: 'documentNumber', label: 'Bill of lading number (optional)' },
          ]}
          done={(values, reply) =>
            recorded(
              typeof reply.shippedBatchId === 'string' ? reply.shippedBatchId : (values.batchId ?? ''),
              `Shipment ${values.shipmentId ?? ''} recorded: shipped`,
            )
          }
        />
      )}
      {form === 'receive' && (
        <CommandForm
          key="receive"
          title="Receive a shipment"
          spec={RECEIVE}
          submitLabel="Receive"
          initial={{}}
          fields={[
            { name: 'batchId', label: 'Batch id (as shipped to you)' },
            { name: 'shipmentId', label: 'Shipment id' },
            { name: 'receivedMassKg', label: 'Mass received (kg)', inputMode: 'decimal' },
            occurredAt,
          ]}
          done={(values) => recorded(values.batchId ?? '', `Shipment ${values.shipmentId ?? ''} received:`)}
        />
      )}
    </>
  );
}
