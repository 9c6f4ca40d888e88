/**
 * The task readers on one line of each public release, checked against what lm-evaluation-harness's
 * task of that name builds (expected strings worked out by hand from its yaml and utils, the
 * HellaSwag ones printed by its own `preprocess` in Python), and the errors for bad lines.
 */
import { describe, expect, it } from 'vitest';
import { parseTaskFile } from '../src/eval/task-file.js';

const jsonl = (...docs: unknown[]) => docs.map((d) => JSON.stringify(d)).join('\n');

describe('parseTaskFile: formats', () => {
  it('generic {context, choices, gold}: each choice after a space, lengths in code points', () => {
    const task = parseTaskFile(
      `${jsonl({ context: 'The cat', choices: ['sat.', 'flew 🚀.'], gold: 1 })}\n\n`,
      'tasks/mine.jsonl',
    );
    expect(task).toMatchObject({ name: 'mine', format: 'generic', file: 'tasks/mine.jsonl' });
    expect(task.items).toEqual([
      {
        requests: [
          { context: 'The cat', continuation: ' sat.' },
          { context: 'The cat', continuation: ' flew 🚀.' },
        ],
        gold: 1,
        choiceLengths: [4, 7],
        line: 1,
      },
    ]);
  });

  it('HellaSwag: activity label, ctx_a and capitalised ctx_b, WikiHow brackets removed', () => {
    const task = parseTaskFile(
      jsonl(
        {
          ind: 24,
          activity_label: 'Roof shingle removal',
          ctx_a: 'A man is sitting on a roof.',
          ctx_b: 'he',
          ctx: 'A man is sitting on a roof. he',
          split: 'val',
          label: 3,
          endings: [
            'is using wrap to wrap a pair of skis.',
            'is ripping level tiles off.',
            "is holding a rubik's cube.",
            'starts pulling up roofing on a roof.',
          ],
        },
        {
          activity_label: 'Home and Garden',
          ctx_a: '[header] How to clean a grill [title] Heat the grill.',
          ctx_b: 'turn the burners ON high',
          endings: ['[step] Let it burn for 15 minutes. [substeps] Wait.', 'Paint it.'],
          label: '0',
        },
      ),
      'hellaswag_val.jsonl',
    );
    expect(task.format).toBe('hellaswag');
    const [roof, grill] = task.items;
    expect(roof?.requests[0]).toEqual({
      context: 'Roof shingle removal: A man is sitting on a roof. He',
      continuation: ' is using wrap to wrap a pair of skis.',
    });
    expect(roof?.gold).toBe(3);
    // Python: preprocess('Home and Garden: ' + ctx_a + ' ' + ctx_b.capitalize()), preprocess(ending)
    expect(grill?.requests.map((r) => r.context)[0]).toBe(
      'Home and Garden: How to clean a grill. Heat the grill. Turn the burners on high',
    );
    expect(grill?.requests[0]?.continuation).toBe('  Let it burn for 15 minutes. Wait.');
    expect(grill?.choiceLengths).toEqual([34, 9]);
    expect(grill).toMatchObject({ gold: 0, line: 2 });
  });

  it('PIQA: "Question: goal\\nAnswer:" against sol1, sol2', () => {
    const [item] = parseTaskFile(
      jsonl({ goal: 'To open a jar', sol1: 'Twist the lid.', sol2: 'Bake it.', label: 0 }),
      'piqa.jsonl',
    ).items;
    expect(item?.requests).toEqual([
      { context: 'Question: To open a jar\nAnswer:', continuation: ' Twist the lid.' },
      { context: 'Question: To open a jar\nAnswer:', continuation: ' Bake it.' },
    ]);
    expect(item?.gold).toBe(0);
  });

  it('ARC, nested (allenai) and flattened (Hugging Face): gold = index of answerKey', () => {
    const choices = [
      { text: 'Planetary density will decrease.', label: 'A' },
      { text: 'Planetary years will become longer.', label: 'B' },
      { text: 'Planetary days will become shorter.', label: 'C' },
    ];
    const stem = 'Which is the most likely effect?';
    const task = parseTaskFile(
      jsonl(
        { id: 'x', question: { stem, choices }, answerKey: 'C' },
        {
          id: 'y',
          question: stem,
          choices: { text: choices.map((c) => c.text), label: ['1', '2', '3'] },
          answerKey: '2',
        },
      ),
      'ARC-Easy-Dev.jsonl',
    );
    expect(task.format).toBe('arc');
    const [nested, flat] = task.items;
    expect(nested?.requests[2]).toEqual({
      context: `Question: ${stem}\nAnswer:`,
      continuation: ' Planetary days will become shorter.',
    });
    expect(nested?.gold).toBe(2);
    expect(flat?.requests).toEqual(nested?.requests);
    expect(flat?.gold).toBe(1);
  });

  it('WinoGrande: partial evaluation — the option fills the context, the rest is scored', () => {
    const [item] = parseTaskFile(
      jsonl({
        qID: 'q1',
        sentence: 'Sarah was a better surgeon than Maria so _ always got the harder cases. ',
        option1: 'Sarah',
        option2: 'Maria',
        answer: '2',
      }),
      'dev.jsonl',
    ).items;
    expect(item?.requests).toEqual([
      {
        context: 'Sarah was a better surgeon than Maria so Sarah',
        continuation: ' always got the harder cases.',
      },
      {
        context: 'Sarah was a better surgeon than Maria so Maria',
        continuation: ' always got the harder cases.',
      },
    ]);
    expect(item?.gold).toBe(1);
    expect(item?.choiceLengths).toEqual([46, 46]);
  });
});

describe('parseTaskFile: bad input names the file and line', () => {
  const good = { context: 'a', choices: ['b', 'c'], gold: 0 };
  const cases: [string, string, RegExp][] = [
    [
      'gold out of range',
      jsonl(good, { ...good, gold: 2 }),
      /^t\.jsonl:2: generic: gold 2 is out of range: expected 0…1 for 2 choices$/,
    ],
    ['negative gold', jsonl({ ...good, gold: -1 }), /^t\.jsonl:1: .*gold -1 is out of range/],
    [
      'empty choices',
      jsonl(good, good, { ...good, choices: [] }),
      /^t\.jsonl:3: generic: choices has 0 entries; a multiple-choice item needs at least 2$/,
    ],
    [
      'an empty choice',
      jsonl({ ...good, choices: ['b', ''] }),
      /^t\.jsonl:1: generic: choices\[1\] must be a non-empty string, got ""$/,
    ],
    [
      'missing field',
      jsonl(good, { context: 'a', choices: ['b', 'c'] }),
      /^t\.jsonl:2: generic: missing field "gold"$/,
    ],
    ['invalid JSON', `${jsonl(good)}\n{"context": "a",`, /^t\.jsonl:2: invalid JSON/],
    ['not an object', '[1, 2]', /^t\.jsonl:1: expected a JSON object per line$/],
    [
      'unknown fields',
      jsonl({ prompt: 'a' }),
      /^t\.jsonl:1: cannot tell the task format from the fields prompt/,
    ],
    ['empty file', '\n\n', /^t\.jsonl: no items/],
    [
      'PIQA without label',
      jsonl({ goal: 'g', sol1: 'a', sol2: 'b' }),
      /^t\.jsonl:1: piqa: missing field "label" \(the original PIQA release keeps labels/,
    ],
    [
      'ARC answerKey not a label',
      jsonl({
        question: {
          stem: 'q',
          choices: [
            { text: 'a', label: 'A' },
            { text: 'b', label: 'B' },
          ],
        },
        answerKey: 'E',
      }),
      /^t\.jsonl:1: arc: answerKey "E" is not one of the choice labels "A", "B"$/,
    ],
    [
      'WinoGrande without a blank',
      jsonl({ sentence: 'no blank', option1: 'a', option2: 'b', answer: '1' }),
      /^t\.jsonl:1: winogrande: sentence has no "_" blank/,
    ],
    [
      'WinoGrande answer 3',
      jsonl({ sentence: 'a _ b', option1: 'a', option2: 'b', answer: '3' }),
      /^t\.jsonl:1: winogrande: answer must be "1" or "2", got "3"$/,
    ],
  ];
  for (const [what, text, message] of cases)
    it(what, () => {
      expect(() => parseTaskFile(text, 't.jsonl')).toThrow(message);
    });
});
