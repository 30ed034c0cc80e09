import { InMemoryEventBus } from '@strata/messaging';
import { lastValueFrom, toArray } from 'rxjs';
import { LiveChangesService } from './live-changes.service';

describe('LiveChangesService', () => {
  it('ends the streams open when the application shuts down', async () => {
    const sut = new LiveChangesService(new InMemoryEventBus(1));
    const open = lastValueFrom(sut.events().pipe(toArray()));

    sut.beforeApplicationShutdown();

    await expect(open).resolves.toEqual([]);
  });

  it('ends at once a stream opened after the shutdown began (a dashboard reconnecting while the modules stop)', async () => {
    const sut = new LiveChangesService(new InMemoryEventBus(1));
    sut.beforeApplicationShutdown();

    await expect(lastValueFrom(sut.events().pipe(toArray()))).resolves.toEqual([]);
  });
});
