// One OTLP fixture per agent framework (test/fixtures/otlp): each lands on the documented canonical or custom metrics, for the right agent.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeJsonRequest } from '../../../src/ingest/otlp/decode-json.js';
import { OtlpDeltaState, mapOtlpRequest } from '../../../src/ingest/otlp/otlp-to-samples.js';
import { defaultOtlpMapping } from '../../../src/config/otlp-mapping.js';

type Expected = Record<string, Record<string, number>>;

/** Decodes and maps every export of a fixture with one state; returns the last export's samples as swarm/agent -> metric -> value. */
function land(file: string): { byAgent: Expected; unattributed: number } {
  const { exports } = JSON.parse(readFileSync(new URL(`../../fixtures/otlp/${file}`, import.meta.url), 'utf8')) as { exports: unknown[] };
  const mapping = defaultOtlpMapping();
  const state = new OtlpDeltaState(10_000);
  let last: ReturnType<typeof mapOtlpRequest> = { samples: [], agents: [], unattributed: 0 };
  for (const body of exports) {
    const decoded = decodeJsonRequest(body);
    if (!decoded.ok) throw new Error(`${file}: ${decoded.reason}`);
    last = mapOtlpRequest(decoded.request, mapping, state);
  }
  const byAgent: Expected = {};
  for (const s of last.samples) {
    const key = `${s.swarm}/${s.agent}`;
    byAgent[key] ??= {};
    expect(byAgent[key][s.metric], `${key} ${s.metric} delivered twice`).toBeUndefined();
    byAgent[key][s.metric] = s.value;
  }
  return { byAgent, unattributed: last.unattributed };
}

function expectLanded(actual: Expected, expected: Expected): void {
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [agent, metrics] of Object.entries(expected)) {
    expect(Object.keys(actual[agent] ?? {}).sort(), agent).toEqual(Object.keys(metrics).sort());
    for (const [metric, value] of Object.entries(metrics)) expect(actual[agent]?.[metric], `${agent} ${metric}`).toBeCloseTo(value, 9);
  }
}

describe('OTLP as agent frameworks send it (default mapping)', () => {
  it('Google ADK: invoke_agent per gen_ai.agent.name, invoke_workflow under the service, tokens per agent and type', () => {
    const { byAgent, unattributed } = land('adk.json');
    expect(unattributed).toBe(0);
    expectLanded(byAgent, {
      // planner: 4 ok (6 s) + 1 failed (2 s) in 10 s.
      'travel/planner': {
        response_time: 8 / 5,
        throughput: 0.5,
        error_rate: 0.2,
        input_tokens_per_second: 120,
        output_tokens_per_second: 30,
      },
      'travel/booker': { response_time: 0.5, throughput: 0.2, error_rate: 0, input_tokens_per_second: 50 },
      // The workflow's points name no agent: the resource's service.name does.
      'travel/trip-planner-app': { workflow_duration_seconds: 10, workflow_runs_per_second: 0.2, workflow_error_ratio: 0 },
    });
  });

  it('Strands Agents: event loop, tokens and tools of the service.name agent, from cumulative exports', () => {
    const { byAgent } = land('strands.json');
    // Second export minus the first, over 10 s: +4 cycles (+8 s), +1,100 / +250 tokens, +3 tool calls (+1.5 s), +1 tool error.
    expectLanded(byAgent, {
      'lab/research-agent': {
        event_loop_cycle_seconds: 2,
        event_loop_cycles_per_second: 0.4,
        input_tokens_per_second: 110,
        output_tokens_per_second: 25,
        tool_duration_seconds: 0.5,
        tool_calls_per_second: 0.3,
        tool_errors_per_second: 0.1,
      },
    });
  });

  it('Semantic Kernel: function invocations with their error.type, OpenAI connector token counters', () => {
    const { byAgent } = land('semantic-kernel.json');
    expectLanded(byAgent, {
      // 8 ok (4 s) + 2 failed (6 s) in 10 s; 2,000 prompt and 500 completion tokens in 10 s.
      'support/sk-support-agent': {
        function_duration_seconds: 1,
        function_calls_per_second: 1,
        function_error_ratio: 0.2,
        input_tokens_per_second: 200,
        output_tokens_per_second: 50,
      },
    });
  });

  it('OpenLIT: agent operations per gen_ai.agent.name, model calls, tokens and cost under the service', () => {
    const { byAgent } = land('openlit.json');
    expectLanded(byAgent, {
      'newsroom/researcher': { response_time: 2, throughput: 0.5, error_rate: 0 },
      'newsroom/writer': { response_time: 4, throughput: 0.2, error_rate: 0 },
      'newsroom/crew-app': {
        model_call_duration_seconds: 0.5,
        model_calls_per_second: 0.6,
        model_call_error_ratio: 0,
        input_tokens_per_second: 300,
        output_tokens_per_second: 90,
        // $0.06 over 10 s.
        cost_usd_per_second: 0.006,
      },
    });
  });

  it("OpenTelemetry SDK with GenAI names: a point's gen_ai.agent.name wins over the resource's gen_ai.agent.id", () => {
    const { byAgent } = land('otel-sdk-genai.json');
    expectLanded(byAgent, {
      'finance/analyst': {
        response_time: 0.5,
        throughput: 1,
        error_rate: 0,
        tool_duration_seconds: 3 / 5,
        tool_calls_per_second: 0.5,
        tool_error_ratio: 0.2,
        input_tokens_per_second: 400,
        output_tokens_per_second: 100,
      },
      // Workflow points carry no agent attribute: the resource's gen_ai.agent.id names it.
      'finance/process-7': { workflow_duration_seconds: 30, workflow_runs_per_second: 0.1, workflow_error_ratio: 0 },
    });
  });
});
