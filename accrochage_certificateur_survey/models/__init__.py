from . import accrochage_insertion_survey, survey_question_answer, survey_user_input
