from . import insertion_survey
