/** A lot leaves the country under a licence (batch stream); atomic with the licence's LicenceDrawnDown. */
export type BatchExported = {
  type: 'BatchExported';
  data: {
    batchId: string;
    exportId: string;
    licenceId: string;
    orgId: string;
    facilityId: string;
    /** An export moves the whole remaining lot. */
    massGrams: number;
    destinationCountry: string;
    consignee: string;
    endUser: string;
    hsCode: string;
    customsDeclarationNo: string;
    port: string;
    occurredAt: string;
  };
};
