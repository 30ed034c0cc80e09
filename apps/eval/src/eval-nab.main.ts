import { EVAL_NAB_USAGE, parseEvalNabArgs, runEvalNab } from './eval-nab';
import { runEvalCommand } from './eval-main';

runEvalCommand('eval:nab', EVAL_NAB_USAGE, parseEvalNabArgs, runEvalNab);
