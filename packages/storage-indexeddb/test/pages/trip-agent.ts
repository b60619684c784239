/**
 * The agent of the e2e pages: a scripted model (slow on purpose, like a real one) that asks for
 * the forecast of one city per turn, then answers with a plan built from every tool result it
 * got. So its output proves that each tool result reached the model exactly as recorded, whatever
 * interrupted the run.
 */
import { type AgentWorkflow, createScriptedModel, defineAgent, type LanguageModel, type ModelRequest } from '@cairn/core';
import { type ForecastToolOptions, forecastTool } from './forecast-tool.ts';

/** The cities the model asks about, one tool call per turn. */
export const CITIES: readonly string[] = ['Lisbon', 'Oslo', 'Kyoto', 'Quito', 'Perth', 'Tunis'];

/** Options of `tripAgent`. */
export interface TripAgentOptions extends ForecastToolOptions {
  /** How long each model call takes. */
  modelDelayMs: number;
  /** Called when a model call starts, with its turn (to see across reloads which calls were made again). */
  onModelCall(turn: number): void;
}

function plan(request: ModelRequest): string {
  const results = request.messages.filter((message) => message.role === 'tool').map((message) => message.content);
  return `Trip plan from ${results.length} forecasts: ${results.join(' | ')}`;
}

/** The `trip-planner` agent: `CITIES.length` tool turns, then a final answer. */
export function tripAgent(options: TripAgentOptions): AgentWorkflow<string> {
  const scripted = createScriptedModel(
    (request, { turn }) => {
      const city = CITIES[turn];
      return city === undefined ? plan(request) : { toolCalls: [{ name: 'forecast', arguments: { city } }] };
    },
    { delayMs: options.modelDelayMs },
  );
  // The turn of a request is the number of assistant messages in it, as the scripted model counts.
  const turnOf = (request: ModelRequest): number => request.messages.filter((message) => message.role === 'assistant').length;
  const model: LanguageModel = {
    id: scripted.id,
    generate(request, callOptions) {
      options.onModelCall(turnOf(request));
      return scripted.generate(request, callOptions);
    },
    stream(request, callOptions) {
      options.onModelCall(turnOf(request));
      return scripted.stream(request, callOptions);
    },
  };
  return defineAgent({
    name: 'trip-planner',
    model,
    instructions: 'Plan a trip: check the forecast of each city, one at a time, then write the plan.',
    tools: [forecastTool(options)],
    maxTurns: CITIES.length + 2,
  });
}
