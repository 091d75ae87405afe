import { randomBytes } from 'node:crypto';
import { LedgerProcess } from '../support/ledger-process';

interface Options {
  url?: string;
  adminToken?: string;
}

/**
 * Seeds a realistic chain through the real HTTP API: a rare-earth mine in Western Australia ships
 * concentrate to a processing plant in Malaysia; a certifier's lab assays it; a regulator holds one lot.
 * Without --url it starts the ledger on the configured store (TRACELODE_STORE, default ./data/ledger.db)
 * with a one-off admin token, so `npm start` afterwards shows the same data.
 */
export async function demo(args: string[]): Promise<number> {
  const options = parseOptions(args);
  const server = options.url
    ? undefined
    : await LedgerProcess.start({
        TRACELODE_ADMIN_TOKEN: (options.adminToken = `demo-${randomBytes(24).toString('base64url')}`),
        TRACELODE_LOG_LEVEL: 'warn',
      });
  const url = options.url ?? server?.url ?? '';
  try {
    await seed(new Client(url), options.adminToken ?? '');
    return 0;
  } finally {
    await server?.stop();
  }
}

function parseOptions(args: string[]): Options {
  const options: Options = { adminToken: process.env.TRACELODE_ADMIN_TOKEN };
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i], args[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--url') options.url = value.replace(/\/$/, '');
    else if (flag === '--admin-token') options.adminToken = value;
    else throw new Error(`Unknown option ${flag}; use --url URL [--admin-token TOKEN]`);
  }
  if (options.url && !options.adminToken) {
    throw new Error('With --url, give the server’s admin token (--admin-token or TRACELODE_ADMIN_TOKEN)');
  }
  return options;
}

class Client {
  constructor(private readonly url: string) {}

  async post<T = { position: string }>(path: string, token: string, body: unknown): Promise<T> {
    const response = await fetch(`${this.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const reply = (await response.json()) as T;
    if (response.status !== 201)
      throw new Error(`POST ${path} answered ${response.status}: ${JSON.stringify(reply)}`);
    return reply;
  }

  async get<T>(path: string, token: string): Promise<T> {
    const response = await fetch(`${this.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    if (response.status !== 200)
      throw new Error(`GET ${path} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  }
}

async function seed(api: Client, adminToken: string): Promise<void> {
  // A run suffix keeps every run's ids unique, so the demo can be run again on the same ledger.
  const run = new Date().toISOString().replace(/\D/g, '').slice(2, 14);
  const id = (name: string) => `${name}-${run}`;
  const register = async (orgId: string, name: string, country: string, roles: string[]) =>
    (await api.post<{ apiKey: string }>('/orgs', adminToken, { orgId: id(orgId), name, country, roles }))
      .apiKey;

  const miner = await register('weld-mining', 'Weld Range Rare Earths Pty Ltd', 'AU', ['producer']);
  await api.post(`/orgs/${id('weld-mining')}/facilities`, miner, {
    facilityId: 'mt-weld',
    kind: 'mine',
    name: 'Mount Weld concentrator',
    country: 'AU',
    lat: -28.862,
    lon: 122.548,
  });
  const processor = await register('kuantan-processing', 'Kuantan Advanced Materials Sdn Bhd', 'MY', [
    'producer',
  ]);
  await api.post(`/orgs/${id('kuantan-processing')}/facilities`, processor, {
    facilityId: 'gebeng',
    kind: 'processing_plant',
    name: 'Gebeng cracking and separation plant',
    country: 'MY',
    lat: 3.973,
    lon: 103.386,
  });
  const certifier = await register('terra-assay', 'Terra Assay & Certification GmbH', 'DE', ['certifier']);
  // Reads everything (docs/visibility.md): the consortium's auditor, given the role by the operator.
  const auditor = await register('consortium-audit', 'Rare-earth consortium audit (demo)', 'CH', ['auditor']);
  const regulator = await register('au-export-control', 'Australian export control (demo)', 'AU', [
    'regulator',
  ]);
  // A certifier assays only lots of an organisation (or facility) it certifies: it audits the miner first.
  await api.post('/certificates', certifier, {
    certificateId: id('TA-CERT-1'),
    scheme: 'TSM',
    subject: { type: 'organisation', id: id('weld-mining') },
    validFrom: '2026-01-01T00:00:00Z',
    validUntil: '2027-01-01T00:00:00Z',
    evidence: { sha256: 'c'.repeat(64), uri: 'https://terra-assay.example/audits/weld-mining-2026.pdf' },
    occurredAt: '2026-01-15T00:00:00Z',
  });

  const lots = [
    {
      batchId: id('MW-CONC-001'),
      massKg: 24850.5,
      grade: { TREO: 40.8, Nd2O3: 7.9, Pr6O11: 2.3 },
      co2: 8200,
    },
    {
      batchId: id('MW-CONC-002'),
      massKg: 25112.25,
      grade: { TREO: 41.3, Nd2O3: 8.1, Pr6O11: 2.4 },
      co2: 8290,
    },
    { batchId: id('MW-CONC-003'), massKg: 23990, grade: { TREO: 39.9, Nd2O3: 7.7, Pr6O11: 2.2 }, co2: 7920 },
  ];
  for (const [i, lot] of lots.entries()) {
    await api.post('/batches/mined', miner, {
      batchId: lot.batchId,
      facilityId: 'mt-weld',
      material: { form: 'concentrate', elements: ['Nd', 'Pr', 'La', 'Ce'], grade: { TREO: 40 } },
      massKg: lot.massKg,
      extractionEmissionsKgCo2e: lot.co2,
      occurredAt: `2026-03-0${i + 1}T06:00:00+08:00`,
    });
    await api.post(`/batches/${lot.batchId}/assays`, certifier, {
      assayId: id(`TA-${i + 1}`),
      lab: 'Terra Assay Perth',
      method: 'XRF + ICP-MS',
      grade: lot.grade,
      radioactivityBqPerG: 2.7 + i * 0.3,
      occurredAt: `2026-03-0${i + 2}T10:00:00+08:00`,
    });
  }
  for (const [i, lot] of lots.slice(0, 2).entries()) {
    await api.post(`/batches/${lot.batchId}/shipments`, miner, {
      shipmentId: id(`FRE-PKG-${i + 1}`),
      toOrgId: id('kuantan-processing'),
      toFacilityId: 'gebeng',
      occurredAt: `2026-03-1${i}T08:00:00+08:00`,
      documents: [{ type: 'bill_of_lading', number: `MAEU-26031${i}-${run.slice(-4)}` }],
    });
    await api.post(`/batches/${lot.batchId}/receipts`, processor, {
      shipmentId: id(`FRE-PKG-${i + 1}`),
      receivedMassKg: lot.massKg - 12.75 * (i + 1),
      occurredAt: `2026-03-2${i}T15:30:00+08:00`,
    });
  }
  const held = lots[2]?.batchId ?? '';
  const hold = await api.post(`/batches/${held}/holds`, regulator, {
    reason: 'Export permit review: radioactivity declaration under audit',
    occurredAt: '2026-03-12T09:00:00+08:00',
  });

  const received = lots[0]?.batchId ?? '';
  const view = await api.get<Record<string, unknown>>(
    `/batches/${received}?minPosition=${hold.position}`,
    certifier,
  );
  console.log(
    JSON.stringify(
      { custodyView: { ...view, timeline: `${(view.timeline as unknown[]).length} entries` } },
      null,
      2,
    ),
  );

  const chain = await refineToMagnets(api, register, id, { miner, processor });
  // Australia's export control follows where Australian concentrate ends up, but its claim stops at its
  // border (docs/visibility.md): the magnet maker in Japan discloses the magnets' history to it, through the
  // ledger's own disclosure grant, so the one regulator key of the demo reads the magnet lot too.
  await api.post(`/batches/${chain.magnets}/disclosures`, chain.magnetMaker, {
    disclosureId: id('HM-DISCLOSE-AU'),
    toOrgId: id('au-export-control'),
    scope: 'history',
  });
  // The magnets are read by their maker: who sees what follows the relationships in the log.
  const provenance = await api.get<{ depth: number; origins: Record<string, unknown>[] }>(
    `/batches/${chain.magnets}/provenance?minPosition=${chain.position}`,
    chain.magnetMaker,
  );
  const carbon = await api.get<Record<string, unknown>>(
    `/batches/${chain.magnets}/carbon`,
    chain.magnetMaker,
  );
  console.log(
    JSON.stringify(
      { magnets: chain.magnets, depth: provenance.depth, origins: provenance.origins, carbon },
      null,
      2,
    ),
  );
  console.log(`
Seeded: 3 mined lots of concentrate at Mount Weld (AU), 2 shipped to and received at Gebeng (MY), 1 held by
the regulator; ore from Thor Lake (CA) concentrated and shipped to Gebeng; then cracking and leaching,
solvent extraction into NdPr oxide and La/Ce carbonate (economic allocation), NdPr metal and NdFeB alloy
in Vietnam (the oxide sold there through a trader's warehouse in Singapore), and sintered magnets in Japan,
whose history the magnet maker disclosed to the (Australian) regulator. API keys for this run (shown once; the ledger keeps only hashes):
  producer  (Mount Weld)     ${miner}
  producer  (Gebeng)         ${processor}
  producer  (magnet maker)   ${chain.magnetMaker}
  certifier                  ${certifier}
  regulator                  ${regulator}
  auditor                    ${auditor}
Try (with the ledger running: npm start):
  curl -s -H "Authorization: Bearer ${certifier}" http://127.0.0.1:3000/batches/${received}
  curl -s -H "Authorization: Bearer ${regulator}" http://127.0.0.1:3000/batches/${held}/events
  curl -s -H "Authorization: Bearer ${chain.magnetMaker}" http://127.0.0.1:3000/batches/${chain.magnets}/provenance
  curl -s -H "Authorization: Bearer ${chain.magnetMaker}" http://127.0.0.1:3000/batches/${chain.magnets}/carbon
  curl -s -H "Authorization: Bearer ${regulator}" "http://127.0.0.1:3000/batches/${received}/provenance?direction=descendants"
  curl -s -H "Authorization: Bearer ${regulator}" http://127.0.0.1:3000/batches/${chain.magnets}/certification
Or open http://127.0.0.1:3000/ (the explorer), sign in with the regulator's key and open ${chain.magnets}.
Verify the magnets' whole history offline (no ledger needed for the last step):
  curl -s http://127.0.0.1:3000/log/public-key > ledger-key.json
  curl -s -H "Authorization: Bearer ${auditor}" http://127.0.0.1:3000/batches/${chain.magnets}/audit-bundle > bundle.json
  npm run tracelode -- verify bundle.json --public-key ledger-key.json
`);
}

type Register = (orgId: string, name: string, country: string, roles: string[]) => Promise<string>;

/**
 * The rest of the chain, with plausible masses and emissions: concentrate from two countries is cracked
 * and leached, separated by solvent extraction into NdPr oxide and a La/Ce co-product (economic allocation,
 * since NdPr carries the value), reduced to metal, alloyed with ferro-boron and sintered into magnets.
 */
async function refineToMagnets(
  api: Client,
  register: Register,
  id: (name: string) => string,
  keys: { miner: string; processor: string },
): Promise<{ magnets: string; magnetMaker: string; position: string }> {
  const facility = async (
    orgId: string,
    key: string,
    facilityId: string,
    kind: string,
    name: string,
    country: string,
  ) => api.post(`/orgs/${id(orgId)}/facilities`, key, { facilityId, kind, name, country });
  const ship = async (
    batchId: string,
    from: string,
    to: { key: string; orgId: string; facilityId: string },
    massKg: number,
    day: string,
    leg = '',
    documents: { type: string; number: string }[] = [],
  ) => {
    const shipmentId = id(`SHP-${batchId.split('-').slice(0, 3).join('-')}${leg}`);
    await api.post(`/batches/${batchId}/shipments`, from, {
      shipmentId,
      toOrgId: id(to.orgId),
      toFacilityId: to.facilityId,
      occurredAt: `${day}T08:00:00+08:00`,
      documents,
    });
    return api.post(`/batches/${batchId}/receipts`, to.key, {
      shipmentId,
      receivedMassKg: massKg,
      occurredAt: `${day}T20:00:00+08:00`,
    });
  };
  const transform = (key: string, body: Record<string, unknown>) =>
    api.post('/transformations', key, { ...body, transformationId: id(body.transformationId as string) });
  const material = (form: string, elements: string[]) => ({ form, elements });

  // A second mine, in Canada: ore concentrated on site, then shipped to the same plant in Malaysia.
  const thor = await register('thor-lake', 'Thor Lake Rare Metals Inc.', 'CA', ['producer']);
  await facility('thor-lake', thor, 'nechalacho', 'mine', 'Nechalacho mine and concentrator', 'CA');
  await api.post('/batches/mined', thor, {
    batchId: id('TL-ORE-001'),
    facilityId: 'nechalacho',
    material: { form: 'ore', elements: ['Nd', 'Pr', 'La', 'Ce'], grade: { TREO: 1.6 } },
    massKg: 300000,
    extractionEmissionsKgCo2e: 2400,
    occurredAt: '2026-02-10T07:00:00-07:00',
  });
  await transform(thor, {
    transformationId: 'TL-BEN-01',
    facilityId: 'nechalacho',
    process: 'beneficiation',
    occurredAt: '2026-02-12T07:00:00-07:00',
    inputs: [{ batchId: id('TL-ORE-001'), consumedKg: 300000 }],
    outputs: [
      {
        batchId: id('TL-CONC-001'),
        material: material('concentrate', ['Nd', 'Pr', 'La', 'Ce']),
        massKg: 9000,
      },
    ],
    residues: [{ kind: 'tailings', massKg: 290500 }],
    processEmissionsKgCo2e: 3150,
  });
  const gebeng = { key: keys.processor, orgId: 'kuantan-processing', facilityId: 'gebeng' };
  await ship(id('TL-CONC-001'), thor, gebeng, 8995.5, '2026-03-15');

  // Cracking and leaching both concentrates (20 t of the Australian lot, all of the Canadian one).
  await transform(keys.processor, {
    transformationId: 'GB-CL-01',
    facilityId: 'gebeng',
    process: 'cracking_leaching',
    occurredAt: '2026-04-01T08:00:00+08:00',
    inputs: [
      { batchId: id('MW-CONC-001'), consumedKg: 20000 },
      { batchId: id('TL-CONC-001'), consumedKg: 8995.5 },
    ],
    outputs: [
      {
        batchId: id('GB-REC-001'),
        material: material('mixed_compound', ['Nd', 'Pr', 'La', 'Ce']),
        massKg: 14200,
      },
    ],
    residues: [{ kind: 'iron_gypsum_residue', massKg: 13900 }],
    processEmissionsKgCo2e: 21400,
  });
  await transform(keys.processor, {
    transformationId: 'GB-SX-01',
    facilityId: 'gebeng',
    process: 'solvent_extraction',
    occurredAt: '2026-04-09T08:00:00+08:00',
    inputs: [{ batchId: id('GB-REC-001'), consumedKg: 14200 }],
    outputs: [
      {
        batchId: id('GB-NDPR-OX-001'),
        material: material('oxide', ['Nd', 'Pr']),
        massKg: 2650,
        grade: { NdPr2O3: 99.4 },
      },
      { batchId: id('GB-LACE-001'), material: material('mixed_compound', ['La', 'Ce']), massKg: 7300 },
    ],
    residues: [{ kind: 'raffinate_solids', massKg: 3900 }],
    processEmissionsKgCo2e: 16800,
    allocation: { method: 'economic', keys: { [id('GB-NDPR-OX-001')]: 0.86, [id('GB-LACE-001')]: 0.14 } },
  });

  // Metal and alloy in Vietnam; the ferro-boron for the alloy comes from a smelter's own lot.
  const hanoi = await register('vina-metals', 'Vina Rare Earth Metals JSC', 'VN', ['producer']);
  await facility(
    'vina-metals',
    hanoi,
    'hai-phong',
    'processing_plant',
    'Hai Phong metals and alloys plant',
    'VN',
  );
  // The oxide is sold to Vietnam through a trader's bonded warehouse in Singapore (a custody-only step: the
  // trader holds the lot, transforms nothing); the magnet maker downstream is not told who it was.
  const trader = await register('straits-metals', 'Straits Strategic Metals Pte Ltd', 'SG', ['producer']);
  await facility('straits-metals', trader, 'jurong-bonded', 'warehouse', 'Jurong bonded warehouse', 'SG');
  const bill = (leg: number) => [{ type: 'bill_of_lading', number: id(`ONEY-2604${leg}`) }];
  await ship(
    id('GB-NDPR-OX-001'),
    keys.processor,
    { key: trader, orgId: 'straits-metals', facilityId: 'jurong-bonded' },
    2650,
    '2026-04-14',
    '-1',
    bill(1),
  );
  await ship(
    id('GB-NDPR-OX-001'),
    trader,
    { key: hanoi, orgId: 'vina-metals', facilityId: 'hai-phong' },
    2650,
    '2026-04-20',
    '-2',
    bill(2),
  );
  await transform(hanoi, {
    transformationId: 'HP-EL-01',
    facilityId: 'hai-phong',
    process: 'electrolysis',
    occurredAt: '2026-05-02T08:00:00+07:00',
    inputs: [{ batchId: id('GB-NDPR-OX-001'), consumedKg: 2650 }],
    outputs: [{ batchId: id('HP-NDPR-MET-001'), material: material('metal', ['Nd', 'Pr']), massKg: 2180 }],
    processEmissionsKgCo2e: 48500,
  });
  const feb = await register('feb-smelter', 'Ferro-Boron Smelting Co.', 'VN', ['producer']);
  await facility('feb-smelter', feb, 'thai-nguyen', 'mine', 'Thai Nguyen iron mine and smelter', 'VN');
  await api.post('/batches/mined', feb, {
    batchId: id('FEB-001'),
    facilityId: 'thai-nguyen',
    material: { form: 'alloy', elements: [] },
    massKg: 5000,
    extractionEmissionsKgCo2e: 9000,
    occurredAt: '2026-04-25T08:00:00+07:00',
  });
  await ship(
    id('FEB-001'),
    feb,
    { key: hanoi, orgId: 'vina-metals', facilityId: 'hai-phong' },
    5000,
    '2026-04-28',
  );
  await transform(hanoi, {
    transformationId: 'HP-AL-01',
    facilityId: 'hai-phong',
    process: 'alloying',
    occurredAt: '2026-05-10T08:00:00+07:00',
    inputs: [
      { batchId: id('HP-NDPR-MET-001'), consumedKg: 2150 },
      { batchId: id('FEB-001'), consumedKg: 4850 },
    ],
    outputs: [{ batchId: id('HP-NDFEB-001'), material: material('alloy', ['Nd', 'Pr']), massKg: 6930 }],
    residues: [{ kind: 'dross', massKg: 55 }],
    processEmissionsKgCo2e: 7200,
  });

  // Sintered magnets in Japan.
  const magnetMaker = await register('kansai-magnetics', 'Kansai Magnetics K.K.', 'JP', ['producer']);
  await facility(
    'kansai-magnetics',
    magnetMaker,
    'himeji',
    'processing_plant',
    'Himeji sintered magnet plant',
    'JP',
  );
  await ship(
    id('HP-NDFEB-001'),
    hanoi,
    { key: magnetMaker, orgId: 'kansai-magnetics', facilityId: 'himeji' },
    6930,
    '2026-05-20',
    '',
    [{ type: 'bill_of_lading', number: id('ONEY-26053') }],
  );
  const sintered = await transform(magnetMaker, {
    transformationId: 'HM-SN-01',
    facilityId: 'himeji',
    process: 'sintering',
    occurredAt: '2026-06-01T08:00:00+09:00',
    inputs: [{ batchId: id('HP-NDFEB-001'), consumedKg: 6930 }],
    outputs: [{ batchId: id('HM-MAG-001'), material: material('magnet', ['Nd', 'Pr']), massKg: 6510 }],
    residues: [{ kind: 'grinding_swarf', massKg: 380 }],
    processEmissionsKgCo2e: 15600,
  });
  return { magnets: id('HM-MAG-001'), magnetMaker, position: sintered.position };
}
