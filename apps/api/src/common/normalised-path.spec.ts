import { normalisedPath } from './normalised-path';

describe('normalisedPath', () => {
  it.each([
    ['/batches/ID-1/holds', '/batches/ID-1/holds'],
    ['/batches/ID%2D1/holds?x=1', '/batches/ID-1/holds'],
    ['/batches/%75rn:epc:1/holds', '/batches/urn:epc:1/holds'],
    ['/batches/a%2Fb/holds', '/batches/a%2Fb/holds'],
    ['/batches/a%252F/holds', '/batches/a%252F/holds'],
    ['/batches/%E0%A4%A/holds', '/batches/%E0%A4%A/holds'],
    ['/batches/a#b/holds', '/batches/a%23b/holds'],
    ['/batches/ID-1?x=%2F', '/batches/ID-1'],
    ['/batches/ID-1', '/batches/ID-1'],
    ['/', '/'],
  ])('reads %s as %s', (url, path) => expect(normalisedPath(url)).toBe(path));
});
