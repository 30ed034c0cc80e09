import { EVAL_JUDGE_USAGE, parseEvalJudgeArgs, runEvalJudge } from './eval-judge';
import { runEvalCommand } from './eval-main';

runEvalCommand('eval:judge', EVAL_JUDGE_USAGE, parseEvalJudgeArgs, runEvalJudge);
