import { EVAL_ADVISOR_USAGE, parseEvalAdvisorArgs, runEvalAdvisor } from './eval-advisor';
import { runEvalCommand } from './eval-main';

runEvalCommand('eval:advisor', EVAL_ADVISOR_USAGE, parseEvalAdvisorArgs, runEvalAdvisor);
