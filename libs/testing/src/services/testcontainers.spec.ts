import { loadTestcontainers, testcontainersPackage } from './testcontainers';

describe('the testcontainers loader', () => {
  it('picks testcontainers 12 from Node 22.22 on and 11 below', () => {
    expect(['20.19.0', '20.20.2', '22.12.0', '22.21.9'].map((v) => testcontainersPackage(v))).toEqual(Array(4).fill('testcontainers'));
    expect(['22.22.0', '22.22.1', '23.0.0', '24.22.3', '26.12.1'].map((v) => testcontainersPackage(v))).toEqual(
      Array(5).fill('testcontainers12'),
    );
  });

  it('loads the one this Node can run (12 throws while being required on Node 20)', async () => {
    const tc = await loadTestcontainers();
    expect(typeof tc.GenericContainer).toBe('function');
    expect(typeof tc.Wait.forLogMessage).toBe('function');
    expect(typeof tc.getContainerRuntimeClient).toBe('function');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(tc.GenericContainer).toBe(require(testcontainersPackage()).GenericContainer);
    expect(await loadTestcontainers()).toBe(tc);
  });
});
