import { EVAL_FORECAST_USAGE, parseEvalForecastArgs, runEvalForecast } from './eval-forecast';
import { runEvalCommand } from './eval-main';

runEvalCommand('eval:forecast', EVAL_FORECAST_USAGE, parseEvalForecastArgs, runEvalForecast);
