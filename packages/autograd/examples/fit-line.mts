/**
 * Fits y = 3x + 2 with one Linear layer and AdamW (the README's training example).
 * Run: npx tsx --conditions=@llm-streamline/source examples/fit-line.mts
 */

import * as A from '@llm-streamline/autograd';
import * as T from '@llm-streamline/tensor';

await T.getDevice();
A.manualSeed(0);

// 32 points on the line, as [32, 1] columns.
const xs = Array.from({ length: 32 }, (_, i) => i / 16 - 1);
const x = A.variable(T.tensor(xs, [32, 1]));
const y = A.variable(
  T.tensor(
    xs.map((v) => 3 * v + 2),
    [32, 1],
  ),
);

const model = new A.Linear(1, 1);
const opt = new A.AdamW(model.parameters(), { lr: 0.1, weightDecay: 0 });

for (let step = 0; step < 300; step++) {
  // Everything created in the scope (activations, the loss) is freed when it ends; the
  // gradients land in the parameters' .grad, which live outside any scope.
  const loss = T.scope(() => {
    const l = A.mseLoss(model.forward(x), y);
    l.backward();
    return l.value;
  });
  opt.step(); // on the GPU: nothing is read back
  opt.zeroGrad();
  if (step % 100 === 99)
    console.log(`step ${step + 1}: loss ${(await T.item(loss)).toExponential(2)}`);
  loss.dispose();
}

const [w] = await T.data(model.weight.value);
const [b] = await T.data((model.bias as A.Variable).value);
console.log(`learned y = ${w?.toFixed(3)}x + ${b?.toFixed(3)}`); // ≈ 3.000x + 2.000
model.dispose();
opt.dispose();
