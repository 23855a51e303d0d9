import { describe, expect, it } from 'vitest';
import { MemoryTaskStore } from '../../src/persistence/memory-task-store.js';
import { describeTaskStoreContract, newTask } from './task-store-contract.js';

describeTaskStoreContract('memory', () => new MemoryTaskStore());

describe('MemoryTaskStore', () => {
  it('fails like a busy database when told to, for route tests', () => {
    const store = new MemoryTaskStore();
    store.unavailable = 'busy';
    expect(() => store.createTask(newTask(), 0)).toThrow(expect.objectContaining({ reason: 'busy' }));
    store.unavailable = undefined;
    expect(store.createTask(newTask(), 0).created).toBe(true);
  });

  it('hands out copies, so callers cannot change stored state', () => {
    const store = new MemoryTaskStore();
    const { task } = store.createTask(newTask({ agents: ['a'] }), 0);
    (task.agents as string[]).push('mutated');
    expect(store.getTask(task.id)?.agents).toEqual(['a']);
  });
});
